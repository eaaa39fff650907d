/* Placed first on the include path of the layers that may not use libebur128:
 * including it from there stops the build. See Makefile "Layers". */
#error "this layer may not include <ebur128.h> (see the layering in README.md)"
