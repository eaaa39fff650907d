#include <stdio.h>
#include <string.h>

#include "base.h"

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("hiss %s\n", HISS_VERSION);
        return 0;
    }
    fprintf(stderr, "hiss: nothing here yet\n");
    return 1;
}
