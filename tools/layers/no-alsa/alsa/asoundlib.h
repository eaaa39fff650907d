/* Placed first on the include path of the layers that may not use ALSA:
 * including it from there stops the build. See Makefile "Layers". */
#error "this layer may not include <alsa/asoundlib.h> (see the layering in README.md)"
