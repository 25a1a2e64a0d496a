"""Distil Slack's 2020 Web API OpenAPI spec into the stand-in's request contract (JSON)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = REPO.parent / "shared" / "slack" / "web-api.openapi2.json"
OUTPUT = REPO / "mentorbot" / "standin" / "web_api_contract.json"

# Methods Slack added after the 2020 spec was published; written by hand from Slack's method
# reference (docs.slack.dev) and kept apart from the spec-derived entries on purpose.
SUPPLEMENT_NOTE = (
    "Hand-written: methods newer than the 2020 OpenAPI spec (from Slack's method reference, "
    "docs.slack.dev). Not derived from the spec; kept separate from 'methods'."
)
SUPPLEMENT: dict[str, dict[str, Any]] = {
    "apps.connections.open": {
        "http_methods": ["POST"],
        "required": [],
        "token": True,
        "types": {},
    },
    "files.completeUploadExternal": {
        "http_methods": ["POST"],
        "required": ["files"],
        "token": True,
        "types": {
            "channel_id": "string",
            "channels": "string",
            "files": "string",
            "initial_comment": "string",
            "thread_ts": "string",
        },
    },
    "files.getUploadURLExternal": {
        "http_methods": ["POST"],
        "required": ["filename", "length"],
        "token": True,
        "types": {
            "alt_txt": "string",
            "filename": "string",
            "length": "integer",
            "snippet_type": "string",
        },
    },
    # Sign in with Slack (OpenID Connect): the code's exchange, then who signed in.
    "openid.connect.token": {
        "http_methods": ["POST"],
        "required": [],
        "token": False,
        "types": {
            "client_id": "string",
            "client_secret": "string",
            "code": "string",
            "grant_type": "string",
            "redirect_uri": "string",
            "refresh_token": "string",
        },
    },
    "openid.connect.userInfo": {
        "http_methods": ["POST"],
        "required": [],
        "token": True,
        "types": {},
    },
}


def _method_entry(operations: dict[str, Any]) -> dict[str, Any]:
    """Summarise one spec path: HTTP verbs, required arguments, argument types, token use."""
    verbs: set[str] = set()
    required: set[str] = set()
    types: dict[str, str] = {}
    token = False
    for verb, operation in operations.items():
        verbs.add(verb.upper())
        for parameter in operation.get("parameters", []):
            name = parameter["name"]
            if name == "token":
                token = True
                continue
            if parameter.get("required"):
                required.add(name)
            types[name] = parameter.get("type", "string")
    return {
        "http_methods": sorted(verbs),
        "required": sorted(required),
        "token": token,
        "types": dict(sorted(types.items())),
    }


def distill(spec: dict[str, Any]) -> dict[str, Any]:
    """Return {method: {http_methods, required, token, types}} for every method in the spec."""
    methods = {
        path.lstrip("/"): _method_entry(operations) for path, operations in spec["paths"].items()
    }
    return dict(sorted(methods.items()))


def build_contract(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the whole contract document: source, spec-derived methods and the supplement."""
    info = spec.get("info", {})
    return {
        "methods": distill(spec),
        "source": {
            "file": "web-api.openapi2.json (slackapi/slack-api-specs, MIT)",
            "title": info.get("title", ""),
            "version": info.get("version", ""),
            "generated_by": "scripts/distill_slack_spec.py",
        },
        "supplement": {"methods": SUPPLEMENT, "note": SUPPLEMENT_NOTE},
    }


def main(argv: list[str]) -> int:
    """Read the spec named on the command line (or the default) and write the contract file."""
    spec_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    contract = build_contract(spec)
    text = json.dumps(contract, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(contract['methods'])} methods (+{len(SUPPLEMENT)} supplement) to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
