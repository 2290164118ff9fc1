"""The operators' resources, checked strictly: every field we use, its type, and no field the operator
does not know (a misspelt key would be silently dropped by the API server's pruning).

Written here from each operator's API reference (CloudNativePG `postgresql.cnpg.io/v1`, RabbitMQ Cluster
Operator `rabbitmq.com/v1beta1`, OpenTelemetry Operator `opentelemetry.io/v1beta1`, KEDA `keda.sh/v1alpha1`,
Prometheus Operator `monitoring.coreos.com/v1`); not the operators' CRD files, which the project does not
copy. Only the subset the manifests use is described: adding a field means adding it here, after reading
its documentation.
"""

from __future__ import annotations

from typing import Any

STRING: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
QUANTITY: dict[str, Any] = {"anyOf": [{"type": "string", "pattern": r"^[0-9.]+(m|Ki|Mi|Gi|Ti)?$"}, INT]}
STRING_MAP: dict[str, Any] = {"type": "object", "additionalProperties": STRING}


def obj(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def array(items: dict[str, Any], min_items: int = 0) -> dict[str, Any]:
    return {"type": "array", "items": items, "minItems": min_items}


METADATA = obj(
    ("name",),
    name=STRING,
    namespace=STRING,
    labels=STRING_MAP,
    annotations=STRING_MAP,
)
RESOURCES = obj(
    requests=obj(cpu=QUANTITY, memory=QUANTITY),
    limits=obj(cpu=QUANTITY, memory=QUANTITY),
)
SECRET_KEY = obj(("name", "key"), name=STRING, key=STRING)
LOCAL_REF = obj(("name",), name=STRING)


def resource(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return obj(
        ("apiVersion", "kind", "metadata", "spec"),
        apiVersion={"const": api_version},
        kind={"const": kind},
        metadata=METADATA,
        spec=spec,
    )


STORAGE = obj(("size",), size=QUANTITY, storageClass=STRING)

CNPG_CLUSTER = resource(
    "postgresql.cnpg.io/v1",
    "Cluster",
    obj(
        ("instances", "storage"),
        instances={"type": "integer", "minimum": 1},
        imageName=STRING,
        primaryUpdateStrategy=enum("unsupervised", "supervised"),
        enableSuperuserAccess=BOOL,
        superuserSecret=LOCAL_REF,
        bootstrap=obj(initdb=obj(("database", "owner"), database=STRING, owner=STRING, secret=LOCAL_REF)),
        postgresql=obj(parameters=STRING_MAP),
        storage=STORAGE,
        walStorage=STORAGE,
        resources=RESOURCES,
        affinity=obj(
            enablePodAntiAffinity=BOOL,
            topologyKey=STRING,
            podAntiAffinityType=enum("preferred", "required"),
        ),
        monitoring=obj(enablePodMonitor=BOOL),
        backup=obj(
            retentionPolicy={"type": "string", "pattern": r"^[1-9][0-9]*[dwm]$"},
            barmanObjectStore=obj(
                ("destinationPath",),
                destinationPath=STRING,
                s3Credentials=obj(accessKeyId=SECRET_KEY, secretAccessKey=SECRET_KEY),
                wal=obj(compression=enum("gzip", "bzip2", "snappy")),
                data=obj(compression=enum("gzip", "bzip2", "snappy")),
            ),
        ),
    ),
)

CNPG_SCHEDULED_BACKUP = resource(
    "postgresql.cnpg.io/v1",
    "ScheduledBackup",
    obj(
        ("schedule", "cluster"),
        # Six fields: CloudNativePG's schedule has seconds first.
        schedule={"type": "string", "pattern": r"^(\S+\s+){5}\S+$"},
        backupOwnerReference=enum("none", "self", "cluster"),
        cluster=LOCAL_REF,
        immediate=BOOL,
    ),
)

RABBITMQ_CLUSTER = resource(
    "rabbitmq.com/v1beta1",
    "RabbitmqCluster",
    obj(
        ("replicas",),
        replicas={"type": "integer", "minimum": 1},
        image=STRING,
        resources=RESOURCES,
        persistence=obj(storage=QUANTITY, storageClassName=STRING),
        rabbitmq=obj(additionalPlugins=array(STRING), additionalConfig=STRING, advancedConfig=STRING),
    ),
)

OTEL_COLLECTOR = resource(
    "opentelemetry.io/v1beta1",
    "OpenTelemetryCollector",
    obj(
        ("config",),
        mode=enum("deployment", "daemonset", "statefulset", "sidecar"),
        replicas={"type": "integer", "minimum": 1},
        image=STRING,
        resources=RESOURCES,
        securityContext=obj(
            runAsNonRoot=BOOL,
            readOnlyRootFilesystem=BOOL,
            allowPrivilegeEscalation=BOOL,
            capabilities=obj(drop=array(STRING)),
            seccompProfile=obj(("type",), type=enum("RuntimeDefault", "Localhost", "Unconfined")),
        ),
        # The collector's own configuration (receivers, processors, exporters, service): an object in
        # v1beta1, checked for its pipelines below by the tests.
        config=obj(
            ("receivers", "exporters", "service"),
            receivers={"type": "object"},
            processors={"type": "object"},
            exporters={"type": "object"},
            service=obj(("pipelines",), pipelines={"type": "object"}),
        ),
    ),
)

SCALED_OBJECT = resource(
    "keda.sh/v1alpha1",
    "ScaledObject",
    obj(
        ("scaleTargetRef", "triggers"),
        scaleTargetRef=obj(("name",), name=STRING, kind=STRING, apiVersion=STRING),
        minReplicaCount={"type": "integer", "minimum": 0},
        maxReplicaCount={"type": "integer", "minimum": 1},
        pollingInterval={"type": "integer", "minimum": 1},
        cooldownPeriod={"type": "integer", "minimum": 0},
        triggers=array(
            obj(
                ("type", "metadata"),
                type=enum("rabbitmq"),
                metadata=obj(
                    ("queueName", "mode", "value"),
                    protocol=enum("amqp", "http", "auto"),
                    queueName=STRING,
                    mode=enum("QueueLength", "MessageRate"),
                    # KEDA reads the target as a string.
                    value={"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
                    activationValue={"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
                    vhostName=STRING,
                ),
                authenticationRef=LOCAL_REF,
            ),
            min_items=1,
        ),
    ),
)

TRIGGER_AUTHENTICATION = resource(
    "keda.sh/v1alpha1",
    "TriggerAuthentication",
    obj(
        ("secretTargetRef",),
        secretTargetRef=array(
            obj(("parameter", "name", "key"), parameter=enum("host"), name=STRING, key=STRING), min_items=1
        ),
    ),
)

SERVICE_MONITOR = resource(
    "monitoring.coreos.com/v1",
    "ServiceMonitor",
    obj(
        ("selector", "endpoints"),
        selector=obj(matchLabels=STRING_MAP),
        endpoints=array(
            obj(
                ("port",), port=STRING, path=STRING, interval={"type": "string", "pattern": r"^[0-9]+[smh]$"}
            ),
            min_items=1,
        ),
    ),
)

SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("postgresql.cnpg.io/v1", "Cluster"): CNPG_CLUSTER,
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): CNPG_SCHEDULED_BACKUP,
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): RABBITMQ_CLUSTER,
    ("opentelemetry.io/v1beta1", "OpenTelemetryCollector"): OTEL_COLLECTOR,
    ("keda.sh/v1alpha1", "ScaledObject"): SCALED_OBJECT,
    ("keda.sh/v1alpha1", "TriggerAuthentication"): TRIGGER_AUTHENTICATION,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
}
