"""The desktop's own services, reached at the edge: the session bus (D-Bus), its notifications, and the user's
service manager (systemd) that runs reminders."""
