#include "proj.h"
long sum(const long *v, int n) { long s = 0; for (int i = 0; i < n; i++) s += v[i]; return s; }
long max_of(const long *v, int n) { long m = n ? v[0] : 0; for (int i = 1; i < n; i++) if (v[i] > m) m = v[i]; return m; }
