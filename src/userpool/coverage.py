"""Which operations of the service model userpool implements, from the model and the registry themselves."""

from __future__ import annotations

from userpool.operations import REGISTRY
from userpool.protocol.model import ServiceModel


def markdown(model: ServiceModel | None = None) -> str:
    model = model or ServiceModel()
    lines = ["| Operation | Auth | Status |", "|---|---|---|"]
    for name in model.operation_names:
        if name in REGISTRY:
            auth = "none" if model.is_unauthenticated(name) else "IAM"
            lines.append(f"| {name} | {auth} | implemented |")
    lines += [
        "",
        "Every other operation of botocore's `cognito-idp` model is answered with "
        "`UnsupportedOperationException` (`userpool coverage --missing` lists them).",
    ]
    return "\n".join(lines) + "\n"


def missing(model: ServiceModel | None = None) -> list[str]:
    model = model or ServiceModel()
    return [n for n in model.operation_names if n not in REGISTRY]
