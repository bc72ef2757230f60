#include <ctype.h>
#include "proj.h"
void upper(char *s) { for (; *s; s++) *s = (char)toupper((unsigned char)*s); }
