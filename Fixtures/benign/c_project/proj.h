#ifndef PROJ_H
#define PROJ_H
long sum(const long *v, int n);
long max_of(const long *v, int n);
void upper(char *s);
void print_row(const char *k, long v);
#endif
