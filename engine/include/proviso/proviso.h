/* Proviso's C API: a stable ABI for any language that can call C (Python's
   ctypes, Go's cgo, Rust, C#). Requests and decisions are UTF-8 JSON text.

   A policy handle is immutable once made and may be shared between threads:
   proviso_decide on one handle from many threads at once is safe.
   Every string the library returns is the caller's to release with
   proviso_string_free; a handle with proviso_policy_free. No function throws
   or aborts on bad input: each returns a status, and on failure writes a JSON
   error object {"status": N, "code": "E403", "message": "...", "diagnostics": [...]}
   to *error (when error is not NULL). */
#ifndef PROVISO_H
#define PROVISO_H

#include <stddef.h>

#include "proviso/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses, the same numbers as the proviso command's exit codes. */
typedef enum proviso_status {
  PROVISO_OK = 0,
  PROVISO_ERROR_ARGUMENT = 2,   /* a NULL pointer or an unknown flag */
  PROVISO_ERROR_RULES = 3,      /* the rule set has errors, so no policy was made */
  PROVISO_ERROR_REQUEST = 4,    /* the request is malformed or does not fit the vocabulary */
  PROVISO_ERROR_INTERNAL = 70   /* a bug in Proviso: please report it */
} proviso_status;

/* Flags for proviso_decide. */
#define PROVISO_DETAIL_FULL 1u   /* add "considered": every rule and condition */
#define PROVISO_WITH_RECEIPT 2u  /* add "receipt": the decision's receipt (proviso.receipt/v1) */
#define PROVISO_NO_COUNTERFACTUALS 4u  /* with PROVISO_DETAIL_FULL: skip the counterfactual search (milliseconds) */

typedef struct proviso_policy proviso_policy;

PROVISO_API const char* proviso_version(void);
/* A short English phrase for a status, e.g. "the request is invalid"; static, not to be freed. */
PROVISO_API const char* proviso_status_message(int status);

/* The built-in rule set (26 U.S.C. § 6103). */
PROVISO_API int proviso_policy_builtin(proviso_policy** policy, char** error);
/* A rule set folder (with proviso.yaml) or a single .proviso file. */
PROVISO_API int proviso_policy_load(const char* path, proviso_policy** policy, char** error);
PROVISO_API void proviso_policy_free(proviso_policy* policy);
/* {"name", "version", "digest", "rules": [...], ...} */
PROVISO_API int proviso_policy_describe(const proviso_policy* policy, char** json);

/* Decides a request (JSON or YAML text of `length` bytes) and writes the
   decision JSON (proviso.decision/v1) to *decision. */
PROVISO_API int proviso_decide(const proviso_policy* policy, const char* request, size_t length, unsigned flags,
                               char** decision, char** error);
/* The same decision as a plain-text memo. */
PROVISO_API int proviso_explain(const proviso_policy* policy, const char* request, size_t length, char** text,
                                char** error);
/* Replays a receipt (JSON text): PROVISO_OK when it is reproduced byte for
   byte; otherwise PROVISO_ERROR_REQUEST with the difference in *error. */
PROVISO_API int proviso_verify_receipt(const proviso_policy* policy, const char* receipt, size_t length, char** error);

/* The fast path, for bulk and latency-bound callers: the outcome and the
   deciding rules only, as one line
     {"decision":"permitted","authorities":["c_consent"]}
   from the compiled evaluator (the same outcome and authorities as
   proviso_decide). A decider serves one thread at a time (it reuses its
   buffers): make one per thread. It keeps its policy alive, so the two may be
   freed in either order. */
typedef struct proviso_decider proviso_decider;
PROVISO_API int proviso_decider_new(const proviso_policy* policy, proviso_decider** decider, char** error);
PROVISO_API void proviso_decider_free(proviso_decider* decider);
/* Decides a request (JSON, or YAML through the full binder). On PROVISO_OK,
   *decision is the NUL-terminated line, owned by the decider and valid until
   its next call or proviso_decider_free: do not free it. A refused request
   gives PROVISO_ERROR_REQUEST and *error as proviso_decide does. */
PROVISO_API int proviso_decider_decide(proviso_decider* decider, const char* request, size_t length,
                                       const char** decision, char** error);

PROVISO_API void proviso_string_free(char* text);

#ifdef __cplusplus
}
#endif

#endif
