/* The C API from C, built with pkg-config against the installed library:
     cc decide.c $(pkg-config --cflags --libs proviso) -o decide
   Decides the request on standard input with the built-in rules; with
   --fast, on the fast path (outcome and deciding rules only). */
#include <proviso/proviso.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int decide_fast(const proviso_policy* policy, const char* request, size_t length) {
  proviso_decider* decider = NULL;
  char* error = NULL;
  int status = proviso_decider_new(policy, &decider, &error);
  if (status == PROVISO_OK) {
    const char* line = NULL; /* owned by the decider */
    status = proviso_decider_decide(decider, request, length, &line, &error);
    if (status == PROVISO_OK) printf("%s\n", line);
  }
  if (status != PROVISO_OK) fprintf(stderr, "%s: %s\n", proviso_status_message(status), error);
  proviso_string_free(error);
  proviso_decider_free(decider);
  return status;
}

int main(int argc, char** argv) {
  static char request[1 << 20];
  size_t length = fread(request, 1, sizeof request, stdin);
  proviso_policy* policy = NULL;
  char* error = NULL;
  int status = proviso_policy_builtin(&policy, &error);
  if (status != PROVISO_OK) {
    fprintf(stderr, "%s\n", error);
    proviso_string_free(error);
    return status;
  }
  if (argc > 1 && strcmp(argv[1], "--fast") == 0) {
    status = decide_fast(policy, request, length);
    proviso_policy_free(policy);
    return status;
  }
  char* decision = NULL;
  status = proviso_decide(policy, request, length, 0, &decision, &error);
  if (status == PROVISO_OK) {
    printf("%s\n", decision);
  } else {
    fprintf(stderr, "%s: %s\n", proviso_status_message(status), error);
  }
  proviso_string_free(decision);
  proviso_string_free(error);
  proviso_policy_free(policy);
  return status;
}
