"""The pictures' colours: black and greys for the body, and two colours that every kind of colour vision tells
apart and that read on white and in greyscale (the Okabe-Ito blue and orange; never red against green)."""

INK = "#000"  # outlines, words, the press and the glide back
SKIN = "#EEEEEE"
MUSCLE = "#D6D6D6"  # the six-pack muscle, a shade darker than the skin
DEEP = "#9A9A9A"  # the psoas and the iliacus, deep under the spot (in the insets)
BONE = "#555555"  # the ribs, the hip bones, the spine, frames and rules
BLUE = "#0072B2"  # what moves: the slide, the circles, the lift
ORANGE = "#E69F00"  # the starting spot
