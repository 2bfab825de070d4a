"""Reading the synthesized CloudFormation template: resources, their order, and intrinsic functions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

ACCOUNT_ID = "123456789012"


@dataclass
class Template:
    """A template with the physical ids and attributes of the resources deployed so far."""

    resources: dict[str, dict[str, Any]]
    region: str
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, region: str) -> Template:
        body = json.loads(path.read_text())
        return cls(resources=body.get("Resources", {}), region=region)

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == resource_type}

    def deployment_order(self) -> list[str]:
        graph: dict[str, set[str]] = {}
        for logical_id, resource in self.resources.items():
            depends = resource.get("DependsOn", [])
            deps = set([depends] if isinstance(depends, str) else depends)
            deps |= _references(resource.get("Properties", {}))
            graph[logical_id] = {d for d in deps if d in self.resources}
        return list(TopologicalSorter(graph).static_order())

    def deployed(self, logical_id: str, physical_id: str, **attributes: str) -> None:
        self.physical_ids[logical_id] = physical_id
        self.attributes[logical_id] = attributes

    # Intrinsic functions
    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._get_att(logical_id, attribute)
            if key == "Fn::Join":
                separator, parts = arg
                return separator.join(str(p) for p in self.resolve(parts))
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = arg
                return str(self.resolve(text)).split(separator)
        return {k: self.resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "Starling",
            "AWS::NoValue": "",
        }
        if name in pseudo:
            return pseudo[name]
        if name not in self.physical_ids:
            raise KeyError(
                f"{name} is referenced before it is deployed (or its type is not deployed locally)"
            )
        return self.physical_ids[name]

    def _get_att(self, logical_id: str, attribute: str) -> str:
        attributes = self.attributes.get(logical_id)
        if attributes is None or attribute not in attributes:
            raise KeyError(f"{logical_id}.{attribute} is not known locally")
        return attributes[attribute]

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                logical_id, attribute = name.split(".", 1)
                return self._get_att(logical_id, attribute)
            return self._ref(name)

        return re.sub(r"\$\{([^}!][^}]*)\}", replace, text)


def _references(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, list):
        for v in value:
            found |= _references(v)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add(arg[0] if isinstance(arg, list) else arg.split(".", 1)[0])
            elif key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                found |= {m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", text)}
                if not isinstance(arg, str):
                    found |= _references(arg[1])
            else:
                found |= _references(arg)
    return found
