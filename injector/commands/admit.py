"""`injector admit -f REVIEW.json`: the AdmissionReview response the webhook would send.

Runs the same code path as the server (injector.admission.review), offline. `--apply`
prints the pod after applying the returned patch instead, as YAML or JSON.
"""
from __future__ import annotations

import argparse
import base64
import sys

import orjson

from injector import admission, goyaml, settings
from injector.patch import apply
from injector.pipeline import pod_injector_factory
from injector.webhook.app import inject_path_envs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("admit", help="answer one AdmissionReview offline, as the webhook would",
                       description="Print the AdmissionReview response the webhook sends for a "
                       "request (same code path as `injector serve`).")
    p.add_argument("-f", "--filename", required=True, help="AdmissionReview JSON file, or - for stdin")
    p.add_argument("--apply", action="store_true",
                   help="print the pod after applying the patch instead of the response")
    p.add_argument("-o", "--output", choices=["json", "yaml"], default=None,
                   help="format of --apply output (default yaml) or the response (default json)")
    p.add_argument("--path", default="/inject",
                   help="webhook path, e.g. /inject/cluster/c1/net/n1 (sets proxy env as Istio does)")
    p.add_argument("--failure-policy", choices=["deny", "allow"], default="deny")
    settings.add_config_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        body = sys.stdin.buffer.read() if args.filename == "-" else open(args.filename, "rb").read()
    except OSError as e:
        print(f"injector admit: cannot read {args.filename}: {e.strerror}", file=sys.stderr)
        return 3
    try:
        loaded = settings.settings_from_args(args)
    except Exception as e:
        print(f"injector admit: bad configuration: {e}", file=sys.stderr)
        return 3
    injector = pod_injector_factory(loaded)(inject_path_envs(args.path))
    outcome = admission.review(body, injector, failure_policy=args.failure_policy)
    if outcome.status != 200:
        print(f"injector admit: HTTP {outcome.status}: {outcome.body.decode(errors='replace')}",
              file=sys.stderr)
        return 3
    if not args.apply:
        if args.output == "yaml":
            sys.stdout.write(goyaml.dump(orjson.loads(outcome.body)))
        else:
            sys.stdout.write(orjson.dumps(orjson.loads(outcome.body), option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0 if outcome.result != "failed" else 3
    response = orjson.loads(outcome.body)["response"]
    if not response.get("allowed"):
        print(f"injector admit: denied: {response.get('status', {}).get('message', '')}", file=sys.stderr)
        return 3
    pod = orjson.loads(body)["request"]["object"]
    if "patch" in response:
        pod = apply(pod, orjson.loads(base64.b64decode(response["patch"])))
    if args.output == "json":
        sys.stdout.write(orjson.dumps(pod, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    try:
        text = goyaml.dump(pod)
    except ValueError as e:  # goyaml.MarshalError: control characters yaml.v2 will not write
        print(f"injector admit: cannot write the patched pod as YAML: {e} (use -o json)", file=sys.stderr)
        return 3
    sys.stdout.write(text)
    return 0
