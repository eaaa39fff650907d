/* Placed first on the include path of the layers that may not use libsndfile:
 * including it from there stops the build. See Makefile "Layers". */
#error "this layer may not include <sndfile.h> (see the layering in README.md)"
