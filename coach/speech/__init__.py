"""Speech: text-to-speech engines behind one interface, and a disk cache so each phrase is synthesized once.

engine.py   the interface every engine keeps (SpeechEngine, Voice) and what builds one (EngineFactory)
factory.py  EngineSpec: an engine named by kind, a small picklable value that builds it where it is needed
espeak.py   espeak-ng through pyttsx3
cache.py    the phrase cache, trimming, and synthesize_all, which the pipeline calls

Nothing is imported here, so naming an engine (factory.py) loads neither numpy nor an engine.
"""
