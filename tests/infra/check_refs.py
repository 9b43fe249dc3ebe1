#!/usr/bin/env python3
"""Cross-file checks the schemas cannot make, for infra/ (tests/infra/run.sh).

- compose files: every build context and Dockerfile, and every bind-mounted
  `./…` file, exists (secrets under ./secrets/ are made by the operator);
  every service an app depends on is defined; a port published once.
- the collector config: every pipeline names receivers, processors and
  exporters that are defined.
- Kubernetes: the Deployment's probes hit /healthz (liveness) and /readyz
  (readiness), the routes the server answers; the ConfigMap and Secret it
  reads are among the manifests; the Service selects the Deployment's pods.

Exits 1 with one line per problem.
"""

import os
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
problems = []


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def check_compose(path):
    (doc,) = load_all(path)
    base = os.path.dirname(path)
    services = doc.get("services") or {}
    published = {}
    for name, svc in services.items():
        build = svc.get("build")
        if isinstance(build, dict):
            ctx = os.path.normpath(os.path.join(base, build.get("context", ".")))
            if not os.path.isdir(ctx):
                problems.append(f"{path}: {name}: build context {ctx} is missing")
            dockerfile = os.path.join(ctx, build.get("dockerfile", "Dockerfile"))
            if not os.path.isfile(dockerfile):
                problems.append(f"{path}: {name}: Dockerfile {dockerfile} is missing")
        for volume in svc.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith("./") or source.startswith("../"):
                if not os.path.exists(os.path.join(base, source)):
                    problems.append(f"{path}: {name}: mounted file {source} is missing")
        depends = svc.get("depends_on") or []
        for dep in depends if isinstance(depends, list) else depends.keys():
            if dep not in services:
                problems.append(f"{path}: {name} depends on {dep}, which is not a service")
        for port in svc.get("ports") or []:
            host = str(port).split(":")[0]
            if host in published:
                problems.append(f"{path}: host port {host} published by {published[host]} and {name}")
            published[host] = name
    for secret in (doc.get("secrets") or {}).values():
        if not str(secret.get("file", "")).startswith("./secrets/"):
            problems.append(f"{path}: secret file {secret.get('file')} should live in ./secrets/ (not in git)")


def check_collector(path):
    (doc,) = load_all(path)
    for kind in ("receivers", "processors", "exporters"):
        defined = set((doc.get(kind) or {}).keys())
        for pipeline, spec in ((doc.get("service") or {}).get("pipelines") or {}).items():
            for name in spec.get(kind) or []:
                if name not in defined:
                    problems.append(f"{path}: pipeline {pipeline} uses {kind[:-1]} {name}, which is not defined")


def check_k8s(directory):
    docs = []
    for name in sorted(os.listdir(directory)):
        if name.endswith((".yaml", ".yml")):
            docs += [(os.path.join(directory, name), d) for d in load_all(os.path.join(directory, name))]
    by_kind = {}
    for path, d in docs:
        by_kind.setdefault(d.get("kind"), []).append((path, d))
    names = {(d.get("kind"), d["metadata"]["name"]) for _, d in docs}
    for path, d in by_kind.get("Deployment", []):
        pod = d["spec"]["template"]
        labels = pod["metadata"].get("labels") or {}
        for c in pod["spec"]["containers"]:
            live = ((c.get("livenessProbe") or {}).get("httpGet") or {}).get("path")
            ready = ((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path")
            if live != "/healthz":
                problems.append(f"{path}: {c['name']}: the liveness probe must GET /healthz, not {live}")
            if ready != "/readyz":
                problems.append(f"{path}: {c['name']}: the readiness probe must GET /readyz, not {ready}")
            for src in c.get("envFrom") or []:
                if "configMapRef" in src and ("ConfigMap", src["configMapRef"]["name"]) not in names:
                    problems.append(f"{path}: ConfigMap {src['configMapRef']['name']} is not among the manifests")
            for env in c.get("env") or []:
                ref = (env.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ("Secret", ref["name"]) not in names:
                    problems.append(f"{path}: Secret {ref['name']} is not among the manifests")
        for svc_path, svc in by_kind.get("Service", []):
            selector = svc["spec"].get("selector") or {}
            if any(labels.get(k) != v for k, v in selector.items()):
                problems.append(f"{svc_path}: the Service's selector {selector} does not match the pods {labels}")
    if not by_kind.get("Deployment"):
        problems.append(f"{directory}: no Deployment")


def main(argv):
    compose = [a for a in argv if "/compose/" in a and not a.endswith("otel-collector.yaml")]
    for path in compose:
        check_compose(path)
    for path in [a for a in argv if a.endswith("otel-collector.yaml")]:
        check_collector(path)
    for directory in [a for a in argv if os.path.isdir(a)]:
        check_k8s(directory)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
