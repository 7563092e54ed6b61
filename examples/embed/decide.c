/* The C API from C, built with pkg-config against the installed library:
     cc decide.c $(pkg-config --cflags --libs proviso) -o decide
   Decides the request on standard input with the built-in rules. */
#include <proviso/proviso.h>

#include <stdio.h>
#include <stdlib.h>

int main(void) {
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
