/* Placed first on the include path of the layers that may not use Rubber Band:
 * including it from there stops the build. See Makefile "Layers". */
#error "this layer may not include <rubberband/rubberband-c.h> (see the layering in README.md)"
