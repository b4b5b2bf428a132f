"""The shop's own cfn-lint rules: what a template of ours must never do, whatever cfn-lint's stock rules allow.

Loaded with `cfn-lint --append-rules infra/cloudformation/rules/` (scripts/dev/infra-check.sh). Every rule is
proven to fire by a template under infra/cloudformation/tests/bad/ whose name starts with the rule's id.

The rules read the template as written: a value that only a parameter or a condition decides (a Ref, an Fn::If)
is not judged here; the parameters' own constraints (AllowedPattern, AllowedValues) must keep those safe.
"""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

# Statements that may name Resource "*", by Sid, each because AWS offers no resource-level permission for its
# actions. Adding one needs a reason here and a comment at the statement in the template.
RESOURCE_STAR_ALLOWED_SIDS = {
    # cloudwatch:PutMetricData authorises no resource; the template narrows it with cloudwatch:namespace.
    "PutAgentMetrics",
}


def _resources(cfn):
    resources = cfn.template.get("Resources", {})
    return resources.items() if isinstance(resources, dict) else []


def _properties(resource):
    properties = resource.get("Properties", {}) if isinstance(resource, dict) else {}
    return properties if isinstance(properties, dict) else {}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _is_true(value):
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _policy_statements(node, path):
    """Every statement of every policy document anywhere under node, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                for index, statement in enumerate(_as_list(value)):
                    if isinstance(statement, dict):
                        yield statement, path + [key] + ([index] if isinstance(value, list) else [])
            else:
                yield from _policy_statements(value, path + [key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _policy_statements(value, path + [index])


class NoWildcardPermissions(CloudFormationLintRule):
    """A wildcard in an Allow grants whatever AWS adds to the service later, not what the host needs today.
    Deny statements may use wildcards: they can only take rights away (the buckets' TLS-only policies do)."""

    id = "E9101"
    shortdesc = "No wildcard actions or resources in Allow statements"
    description = (
        "An Allow statement may not have Action '*' or 'service:*', NotAction or NotResource, nor Resource '*' "
        "unless its Sid is a documented exception (RESOURCE_STAR_ALLOWED_SIDS)"
    )
    tags = ["iam", "shop"]

    def match(self, cfn):
        matches = []
        for name, resource in _resources(cfn):
            base = ["Resources", name, "Properties"]
            for statement, path in _policy_statements(_properties(resource), base):
                if statement.get("Effect") != "Allow":
                    continue
                for key in ("NotAction", "NotResource"):
                    if key in statement:
                        matches.append(RuleMatch(path + [key], f"{key} in an Allow statement grants everything else"))
                for action in _as_list(statement.get("Action", [])):
                    if isinstance(action, str) and (action == "*" or action.endswith(":*")):
                        matches.append(RuleMatch(path + ["Action"], f"wildcard action {action!r} in {name}"))
                resources = _as_list(statement.get("Resource", []))
                if "*" in [r for r in resources if isinstance(r, str)]:
                    sid = statement.get("Sid")
                    if sid not in RESOURCE_STAR_ALLOWED_SIDS:
                        matches.append(
                            RuleMatch(
                                path + ["Resource"],
                                f"Resource '*' in {name} (Sid {sid!r} is not a documented exception)",
                            )
                        )
        return matches


class EncryptedVolumes(CloudFormationLintRule):
    """The host keeps the databases and the JetStream store on its disks: every volume is encrypted."""

    id = "E9102"
    shortdesc = "Every EBS volume is encrypted"
    description = "Block device mappings of instances and launch templates, and AWS::EC2::Volume, set Encrypted: true"
    tags = ["ec2", "ebs", "shop"]

    def _mappings(self, mappings, path, matches):
        for index, mapping in enumerate(_as_list(mappings or [])):
            if not isinstance(mapping, dict) or "Ebs" not in mapping:
                continue
            ebs = mapping["Ebs"] if isinstance(mapping["Ebs"], dict) else {}
            if not _is_true(ebs.get("Encrypted")):
                matches.append(RuleMatch(path + [index, "Ebs"], "EBS volume without Encrypted: true"))

    def match(self, cfn):
        matches = []
        for name, resource in _resources(cfn):
            kind = resource.get("Type") if isinstance(resource, dict) else None
            props = _properties(resource)
            base = ["Resources", name, "Properties"]
            if kind == "AWS::EC2::Instance":
                if "BlockDeviceMappings" not in props and "LaunchTemplate" not in props:
                    matches.append(
                        RuleMatch(base, "instance without BlockDeviceMappings: its root volume is the AMI's, unencrypted")
                    )
                self._mappings(props.get("BlockDeviceMappings"), base + ["BlockDeviceMappings"], matches)
            elif kind == "AWS::EC2::LaunchTemplate":
                data = props.get("LaunchTemplateData", {})
                if isinstance(data, dict):
                    self._mappings(
                        data.get("BlockDeviceMappings"),
                        base + ["LaunchTemplateData", "BlockDeviceMappings"],
                        matches,
                    )
            elif kind == "AWS::EC2::Volume" and not _is_true(props.get("Encrypted")):
                matches.append(RuleMatch(base, "EBS volume without Encrypted: true"))
        return matches


class NoWorldSsh(CloudFormationLintRule):
    """SSH goes through SSM Session Manager, or from one operator's CIDR; never from the whole internet."""

    id = "E9103"
    shortdesc = "No SSH from 0.0.0.0/0 or ::/0"
    description = "No security group ingress rule open to the world covers port 22"
    tags = ["ec2", "network", "shop"]

    @staticmethod
    def _covers_ssh(rule):
        protocol = str(rule.get("IpProtocol", "")).lower()
        if protocol in ("-1", "all"):
            return True
        if protocol not in ("tcp", "6"):
            return False
        try:
            return int(rule.get("FromPort")) <= 22 <= int(rule.get("ToPort"))
        except (TypeError, ValueError):
            # A port from a parameter: cannot tell, so treat it as possibly 22.
            return True

    @staticmethod
    def _open_to_world(rule):
        return rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0"

    def match(self, cfn):
        matches = []
        for name, resource in _resources(cfn):
            kind = resource.get("Type") if isinstance(resource, dict) else None
            props = _properties(resource)
            base = ["Resources", name, "Properties"]
            rules = []
            if kind == "AWS::EC2::SecurityGroup":
                ingress = props.get("SecurityGroupIngress", [])
                rules = [(r, base + ["SecurityGroupIngress", i]) for i, r in enumerate(_as_list(ingress))]
            elif kind == "AWS::EC2::SecurityGroupIngress":
                rules = [(props, base)]
            for rule, path in rules:
                if isinstance(rule, dict) and self._open_to_world(rule) and self._covers_ssh(rule):
                    matches.append(RuleMatch(path, f"{name} opens port 22 to the whole internet"))
        return matches


class QueuesHaveDeadLetters(CloudFormationLintRule):
    """A message that can never be processed must end up somewhere an operator sees it, not loop forever."""

    id = "E9104"
    shortdesc = "Every SQS queue that is not a dead-letter queue has a RedrivePolicy"
    description = "Queues named as another queue's deadLetterTargetArn are exempt; every other queue needs a RedrivePolicy"
    tags = ["sqs", "shop"]

    @staticmethod
    def _target(redrive):
        arn = redrive.get("deadLetterTargetArn") if isinstance(redrive, dict) else None
        if isinstance(arn, dict):
            if "Fn::GetAtt" in arn:
                target = arn["Fn::GetAtt"]
                return target[0] if isinstance(target, list) else str(target).split(".")[0]
            if "Ref" in arn:
                return arn["Ref"]
        return None

    def match(self, cfn):
        queues = {
            name: _properties(resource)
            for name, resource in _resources(cfn)
            if isinstance(resource, dict) and resource.get("Type") == "AWS::SQS::Queue"
        }
        dead_letter_queues = {self._target(props.get("RedrivePolicy")) for props in queues.values()}
        return [
            RuleMatch(["Resources", name, "Properties"], f"queue {name} has no RedrivePolicy (and is no dead-letter queue)")
            for name, props in queues.items()
            if name not in dead_letter_queues and "RedrivePolicy" not in props
        ]


class HardenedBuckets(CloudFormationLintRule):
    """Backups and photos: encrypted at rest, recoverable after an overwrite, never public by accident."""

    id = "E9105"
    shortdesc = "Every S3 bucket is encrypted, versioned and blocks public access"
    description = "AWS::S3::Bucket needs BucketEncryption, VersioningConfiguration Enabled and all four public access blocks"
    tags = ["s3", "shop"]

    BLOCKS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")

    def match(self, cfn):
        matches = []
        for name, resource in _resources(cfn):
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::S3::Bucket":
                continue
            props = _properties(resource)
            base = ["Resources", name, "Properties"]
            if "BucketEncryption" not in props:
                matches.append(RuleMatch(base, f"bucket {name} has no BucketEncryption"))
            versioning = props.get("VersioningConfiguration")
            if not isinstance(versioning, dict) or versioning.get("Status") != "Enabled":
                matches.append(RuleMatch(base, f"bucket {name} is not versioned"))
            block = props.get("PublicAccessBlockConfiguration")
            missing = [b for b in self.BLOCKS if not (isinstance(block, dict) and _is_true(block.get(b)))]
            if missing:
                matches.append(RuleMatch(base, f"bucket {name} does not block public access: {', '.join(missing)}"))
        return matches
