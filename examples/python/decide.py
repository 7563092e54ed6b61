#!/usr/bin/env python3
"""Decide a request with Proviso from Python, through the C API and ctypes.

    python3 decide.py [--library PATH/libproviso.so] [REQUEST.json]

Without --library it looks for libproviso.so on the usual search path
(LD_LIBRARY_PATH, ldconfig). Prints the outcome, the deciding provisions and
the summary; exits 4 when the request is invalid (the error JSON on stderr).
"""
import argparse
import ctypes
import ctypes.util
import json
import sys

ICE_REQUEST = {"recipient": {"kind": "federal_agency"},
               "request": {"in_writing": True, "signed_by": "component_head"}}

PROVISO_WITH_RECEIPT = 2


class Proviso:
    """A thin wrapper: one policy handle, JSON in and out, every string freed."""

    def __init__(self, library_path=None, rules=None):
        path = library_path or ctypes.util.find_library("proviso") or "libproviso.so"
        self.lib = lib = ctypes.CDLL(path)
        lib.proviso_version.restype = ctypes.c_char_p
        lib.proviso_policy_builtin.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
        lib.proviso_policy_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
        lib.proviso_policy_free.argtypes = [ctypes.c_void_p]
        lib.proviso_decide.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint,
                                       ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
        lib.proviso_string_free.argtypes = [ctypes.c_void_p]
        self.policy = ctypes.c_void_p()
        error = ctypes.c_void_p()
        if rules:
            status = lib.proviso_policy_load(rules.encode(), ctypes.byref(self.policy), ctypes.byref(error))
        else:
            status = lib.proviso_policy_builtin(ctypes.byref(self.policy), ctypes.byref(error))
        if status != 0:
            raise RuntimeError(self._take(error))

    def _take(self, pointer):
        """The string a C function returned, as Python text; frees it."""
        if not pointer.value:
            return None
        text = ctypes.string_at(pointer.value).decode("utf-8")
        self.lib.proviso_string_free(pointer)
        return text

    def decide(self, request, flags=0):
        """Returns (status, decision dict or error dict)."""
        data = (request if isinstance(request, str) else json.dumps(request)).encode("utf-8")
        decision, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self.lib.proviso_decide(self.policy, data, len(data), flags, ctypes.byref(decision), ctypes.byref(error))
        text = self._take(decision) if status == 0 else self._take(error)
        return status, json.loads(text)

    def close(self):
        if self.policy:
            self.lib.proviso_policy_free(self.policy)
            self.policy = ctypes.c_void_p()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", help="path to libproviso.so")
    parser.add_argument("--rules", help="a rule set folder (default: the built-in § 6103 rules)")
    parser.add_argument("request", nargs="?", help="a JSON request file")
    args = parser.parse_args()
    request = open(args.request, encoding="utf-8").read() if args.request else ICE_REQUEST

    proviso = Proviso(args.library, args.rules)
    try:
        print("proviso", proviso.lib.proviso_version().decode())
        status, result = proviso.decide(request, PROVISO_WITH_RECEIPT)
        if status != 0:
            print(json.dumps(result), file=sys.stderr)
            return status
        print("decision:", result["decision"])
        for authority in result["authorities"]:
            print("authority:", authority["cite"]["text"])
        print("summary:", result["summary"])
        print("receipt:", result["receipt"]["id"], result["receipt"]["request_digest"])
    finally:
        proviso.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
