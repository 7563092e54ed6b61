/* PROVISO_API marks what the shared library exports; everything else stays
   hidden, so the engine's internals never become part of the ABI. */
#ifndef PROVISO_EXPORT_H
#define PROVISO_EXPORT_H

#if defined(_WIN32)
#  if defined(PROVISO_BUILDING_LIBRARY)
#    define PROVISO_API __declspec(dllexport)
#  else
#    define PROVISO_API
#  endif
#else
#  define PROVISO_API __attribute__((visibility("default")))
#endif

#endif
