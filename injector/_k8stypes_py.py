"""The Kubernetes type schema and the pure-Python normaliser (twin of `_k8stypes_c`).

`injector.k8stypes` is the public module (read its docstring for what `normalize` does);
this one holds what both backends share: the schema (`SCHEMA`, `LEGACY_SCHEMA`), `KINDS`,
`root_type`, `K8sTypeError`, the per-variant struct tables (`tables`) and the scalar
conversions, plus the reference `normalize`.

Speed comes from compiling the schema once per (legacy, omit_creation_timestamp) into
`StructTable`s: a field lookup by exact and by folded name, and for every field what an
absent value writes (nothing, a constant, or a fresh copy of a zero struct), so a struct
walks only the fields it was given plus the few that are always written. Error paths are
built only when an error happens (`_Fail` collects the segments on its way up).
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

from injector import quantity
from injector.goyaml import go_format_float

__all__ = ["normalize", "root_type", "tables", "K8sTypeError", "SCHEMA", "LEGACY_SCHEMA", "KINDS"]

_SCHEMA = """
Pod:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:PodSpec? status:PodStatus?
Deployment:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:DeploymentSpec
    status:DeploymentStatus?
DaemonSet:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:DaemonSetSpec
    status:DaemonSetStatus?
ReplicaSet:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:ReplicaSetSpec
    status:ReplicaSetStatus?
ReplicationController:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:ReplicationControllerSpec?
    status:ReplicationControllerStatus?
StatefulSet:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:StatefulSetSpec
    status:StatefulSetStatus?
Job:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:JobSpec? status:JobStatus?
CronJob:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:CronJobSpec status:CronJobStatus?
PodTemplateSpec:
    metadata:ObjectMeta? spec:PodSpec?
ObjectMeta:
    annotations:{str}? creationTimestamp:time? deletionGracePeriodSeconds:*int?
    deletionTimestamp:*time? finalizers:[str]? generateName:str? generation:int?
    labels:{str}? managedFields:[ManagedFieldsEntry]? name:str? namespace:str?
    ownerReferences:[OwnerReference]? resourceVersion:str? selfLink:str? uid:str?
PodSpec:
    activeDeadlineSeconds:*int? affinity:*Affinity? automountServiceAccountToken:*bool?
    containers:[Container] dnsConfig:*PodDNSConfig? dnsPolicy:str? enableServiceLinks:*bool?
    ephemeralContainers:[EphemeralContainer]? evictionResponders:[EvictionResponder]?
    hostAliases:[HostAlias]? hostIPC:bool? hostNetwork:bool? hostPID:bool? hostUsers:*bool?
    hostname:str? hostnameOverride:*str? imagePullSecrets:[LocalObjectReference]?
    initContainers:[Container]? nodeName:str? nodeSelector:{str}? os:*PodOS? overhead:{q}?
    preemptionPolicy:*str? priority:*int? priorityClassName:str?
    readinessGates:[PodReadinessGate]? resourceClaims:[PodResourceClaim]?
    resources:*ResourceRequirements? restartPolicy:str? runtimeClassName:*str?
    schedulerName:str? schedulingGates:[PodSchedulingGate]?
    schedulingGroup:*PodSchedulingGroup? securityContext:*PodSecurityContext?
    serviceAccount:str? serviceAccountName:str? setHostnameAsFQDN:*bool?
    shareProcessNamespace:*bool? subdomain:str? terminationGracePeriodSeconds:*int?
    tolerations:[Toleration]? topologySpreadConstraints:[TopologySpreadConstraint]?
    volumes:[Volume]?
PodStatus:
    allocatedResources:{q}? conditions:[PodCondition]? containerStatuses:[ContainerStatus]?
    ephemeralContainerStatuses:[ContainerStatus]?
    extendedResourceClaimStatus:*PodExtendedResourceClaimStatus? hostIP:str?
    hostIPs:[HostIP]? initContainerStatuses:[ContainerStatus]? message:str?
    nodeAllocatableResourceClaimStatuses:[NodeAllocatableResourceClaimStatus]?
    nominatedNodeName:str? observedGeneration:int? phase:str? podIP:str? podIPs:[PodIP]?
    qosClass:str? reason:str? resize:str? resourceClaimStatuses:[PodResourceClaimStatus]?
    resources:*ResourceRequirements? startTime:*time? volumeHealth:[PodVolumeHealth]?
DeploymentSpec:
    minReadySeconds:int? paused:bool? progressDeadlineSeconds:*int? replicas:*int?
    revisionHistoryLimit:*int? selector:*LabelSelector strategy:DeploymentStrategy?
    template:PodTemplateSpec
DeploymentStatus:
    availableReplicas:int? collisionCount:*int? conditions:[DeploymentCondition]?
    observedGeneration:int? readyReplicas:int? replicas:int? terminatingReplicas:*int?
    unavailableReplicas:int? updatedReplicas:int?
DaemonSetSpec:
    minReadySeconds:int? revisionHistoryLimit:*int? selector:*LabelSelector
    template:PodTemplateSpec updateStrategy:DaemonSetUpdateStrategy?
DaemonSetStatus:
    collisionCount:*int? conditions:[DaemonSetCondition]? currentNumberScheduled:int
    desiredNumberScheduled:int numberAvailable:int? numberMisscheduled:int numberReady:int
    numberUnavailable:int? observedGeneration:int? updatedNumberScheduled:int?
ReplicaSetSpec:
    minReadySeconds:int? replicas:*int? selector:*LabelSelector template:PodTemplateSpec?
ReplicaSetStatus:
    availableReplicas:int? conditions:[ReplicaSetCondition]? fullyLabeledReplicas:int?
    observedGeneration:int? readyReplicas:int? replicas:int terminatingReplicas:*int?
ReplicationControllerSpec:
    minReadySeconds:int? replicas:*int? selector:{str}? template:*PodTemplateSpec?
ReplicationControllerStatus:
    availableReplicas:int? conditions:[ReplicationControllerCondition]?
    fullyLabeledReplicas:int? observedGeneration:int? readyReplicas:int? replicas:int
StatefulSetSpec:
    minReadySeconds:int? ordinals:*StatefulSetOrdinals?
    persistentVolumeClaimRetentionPolicy:*StatefulSetPersistentVolumeClaimRetentionPolicy?
    podManagementPolicy:str? replicas:*int? revisionHistoryLimit:*int?
    selector:*LabelSelector serviceName:str? template:PodTemplateSpec
    updateStrategy:StatefulSetUpdateStrategy? volumeClaimTemplates:[PersistentVolumeClaim]?
StatefulSetStatus:
    availableReplicas:int? collisionCount:*int? conditions:[StatefulSetCondition]?
    currentReplicas:int? currentRevision:str? observedGeneration:int? readyReplicas:int?
    replicas:int updateRevision:str? updatedReplicas:int?
JobSpec:
    activeDeadlineSeconds:*int? backoffLimit:*int? backoffLimitPerIndex:*int?
    completionMode:*str? completions:*int? managedBy:*str? manualSelector:*bool?
    maxFailedIndexes:*int? parallelism:*int? podFailurePolicy:*PodFailurePolicy?
    podReplacementPolicy:*str? scheduling:raw? selector:*LabelSelector?
    successPolicy:*SuccessPolicy? suspend:*bool? template:PodTemplateSpec
    ttlSecondsAfterFinished:*int?
JobStatus:
    active:int? completedIndexes:str? completionTime:*time? conditions:[JobCondition]?
    failed:int? failedIndexes:*str? ready:*int? startTime:*time? succeeded:int?
    terminating:*int? uncountedTerminatedPods:*UncountedTerminatedPods?
CronJobSpec:
    concurrencyPolicy:str? failedJobsHistoryLimit:*int? jobTemplate:JobTemplateSpec
    schedule:str startingDeadlineSeconds:*int? successfulJobsHistoryLimit:*int?
    suspend:*bool? timeZone:*str?
CronJobStatus:
    active:[ObjectReference]? lastScheduleTime:*time? lastSuccessfulTime:*time?
ManagedFieldsEntry:
    apiVersion:str? fieldsType:str? fieldsV1:*raw? manager:str? operation:str?
    subresource:str? time:*time?
OwnerReference:
    apiVersion:str blockOwnerDeletion:*bool? controller:*bool? kind:str name:str uid:str
Affinity:
    nodeAffinity:*NodeAffinity? podAffinity:*PodAffinity? podAntiAffinity:*PodAntiAffinity?
Container:
    args:[str]? command:[str]? env:[EnvVar]? envFrom:[EnvFromSource]? image:str?
    imagePullPolicy:str? lifecycle:*Lifecycle? livenessProbe:*Probe? name:str
    ports:[ContainerPort]? readinessProbe:*Probe? resizePolicy:[ContainerResizePolicy]?
    resources:ResourceRequirements? restartPolicy:*str?
    restartPolicyRules:[ContainerRestartRule]? securityContext:*SecurityContext?
    startupProbe:*Probe? stdin:bool? stdinOnce:bool? terminationMessagePath:str?
    terminationMessagePolicy:str? tty:bool? volumeDevices:[VolumeDevice]?
    volumeMounts:[VolumeMount]? workingDir:str?
PodDNSConfig:
    nameservers:[str]? options:[PodDNSConfigOption]? searches:[str]?
EphemeralContainer:
    args:[str]? command:[str]? env:[EnvVar]? envFrom:[EnvFromSource]? image:str?
    imagePullPolicy:str? lifecycle:*Lifecycle? livenessProbe:*Probe? name:str
    ports:[ContainerPort]? readinessProbe:*Probe? resizePolicy:[ContainerResizePolicy]?
    resources:ResourceRequirements? restartPolicy:*str?
    restartPolicyRules:[ContainerRestartRule]? securityContext:*SecurityContext?
    startupProbe:*Probe? stdin:bool? stdinOnce:bool? targetContainerName:str?
    terminationMessagePath:str? terminationMessagePolicy:str? tty:bool?
    volumeDevices:[VolumeDevice]? volumeMounts:[VolumeMount]? workingDir:str?
EvictionResponder:
    name:str priority:int
HostAlias:
    hostnames:[str]? ip:str
LocalObjectReference:
    name:str?
PodOS:
    name:str
PodReadinessGate:
    conditionType:str
PodResourceClaim:
    name:str resourceClaimName:*str? resourceClaimTemplateName:*str?
ResourceRequirements:
    claims:[ResourceClaim]? limits:{q}? requests:{q}?
PodSchedulingGate:
    name:str
PodSchedulingGroup:
    podGroupName:str?
PodSecurityContext:
    appArmorProfile:*AppArmorProfile? fsGroup:*int? fsGroupChangePolicy:*str?
    runAsGroup:*int? runAsNonRoot:*bool? runAsUser:*int? seLinuxChangePolicy:*str?
    seLinuxOptions:*SELinuxOptions? seccompProfile:*SeccompProfile?
    supplementalGroups:[int]? supplementalGroupsPolicy:*str? sysctls:[Sysctl]?
    windowsOptions:*WindowsSecurityContextOptions?
Toleration:
    effect:str? key:str? operator:str? tolerationSeconds:*int? value:str?
TopologySpreadConstraint:
    labelSelector:*LabelSelector? matchLabelKeys:[str]? maxSkew:int minDomains:*int?
    nodeAffinityPolicy:*str? nodeTaintsPolicy:*str? topologyKey:str whenUnsatisfiable:str
Volume:
    awsElasticBlockStore:*AWSElasticBlockStoreVolumeSource?
    azureDisk:*AzureDiskVolumeSource? azureFile:*AzureFileVolumeSource?
    cephfs:*CephFSVolumeSource? cinder:*CinderVolumeSource?
    configMap:*ConfigMapVolumeSource? csi:*CSIVolumeSource?
    downwardAPI:*DownwardAPIVolumeSource? emptyDir:*EmptyDirVolumeSource?
    ephemeral:*EphemeralVolumeSource? fc:*FCVolumeSource? flexVolume:*FlexVolumeSource?
    flocker:*FlockerVolumeSource? gcePersistentDisk:*GCEPersistentDiskVolumeSource?
    gitRepo:*GitRepoVolumeSource? glusterfs:*GlusterfsVolumeSource?
    hostPath:*HostPathVolumeSource? image:*ImageVolumeSource? iscsi:*ISCSIVolumeSource?
    name:str nfs:*NFSVolumeSource? persistentVolumeClaim:*PersistentVolumeClaimVolumeSource?
    photonPersistentDisk:*PhotonPersistentDiskVolumeSource?
    portworxVolume:*PortworxVolumeSource? projected:*ProjectedVolumeSource?
    quobyte:*QuobyteVolumeSource? rbd:*RBDVolumeSource? scaleIO:*ScaleIOVolumeSource?
    secret:*SecretVolumeSource? storageos:*StorageOSVolumeSource?
    vsphereVolume:*VsphereVirtualDiskVolumeSource?
PodCondition:
    lastProbeTime:time? lastTransitionTime:time? message:str? observedGeneration:int?
    reason:str? status:str type:str
ContainerStatus:
    allocatedResources:{q}? allocatedResourcesStatus:[ResourceStatus]? containerID:str?
    image:str imageID:str lastState:*ContainerState? name:str ready:bool
    resources:*ResourceRequirements? restartCount:int started:*bool? state:*ContainerState?
    stopSignal:*str? user:*ContainerUser? volumeMounts:[VolumeMountStatus]?
PodExtendedResourceClaimStatus:
    requestMappings:[ContainerExtendedResourceRequest] resourceClaimName:str
HostIP:
    ip:str
NodeAllocatableResourceClaimStatus:
    containers:[str]? mapping:[NodeAllocatableMappedResources]?
    overhead:[NodeAllocatableOverheadResources]? resourceClaimName:str
PodIP:
    ip:str
PodResourceClaimStatus:
    name:str resourceClaimName:str?
PodVolumeHealth:
    healthConditions:[VolumeHealthCondition]? lastTransitionTime:time? name:str
LabelSelector:
    matchExpressions:[LabelSelectorRequirement]? matchLabels:{str}?
DeploymentStrategy:
    rollingUpdate:*RollingUpdateDeployment? type:str?
DeploymentCondition:
    lastTransitionTime:time? lastUpdateTime:time? message:str? reason:str? status:str
    type:str
DaemonSetUpdateStrategy:
    rollingUpdate:*RollingUpdateDaemonSet? type:str?
DaemonSetCondition:
    lastTransitionTime:time? message:str? reason:str? status:str type:str
ReplicaSetCondition:
    lastTransitionTime:time? message:str? reason:str? status:str type:str
ReplicationControllerCondition:
    lastTransitionTime:time? message:str? reason:str? status:str type:str
StatefulSetOrdinals:
    start:int?
StatefulSetPersistentVolumeClaimRetentionPolicy:
    whenDeleted:str? whenScaled:str?
StatefulSetUpdateStrategy:
    rollingUpdate:*RollingUpdateStatefulSetStrategy? type:str?
PersistentVolumeClaim:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:PersistentVolumeClaimSpec?
    status:PersistentVolumeClaimStatus?
StatefulSetCondition:
    lastTransitionTime:time? message:str? reason:str? status:str type:str
PodFailurePolicy:
    rules:[PodFailurePolicyRule]
SuccessPolicy:
    rules:[SuccessPolicyRule]
JobCondition:
    lastProbeTime:time? lastTransitionTime:time? message:str? reason:str? status:str
    type:str
UncountedTerminatedPods:
    failed:[str]? succeeded:[str]?
JobTemplateSpec:
    metadata:ObjectMeta? spec:JobSpec?
ObjectReference:
    apiVersion:str? fieldPath:str? kind:str? name:str? namespace:str? resourceVersion:str?
    uid:str?
NodeAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:[PreferredSchedulingTerm]?
    requiredDuringSchedulingIgnoredDuringExecution:*NodeSelector?
PodAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:[WeightedPodAffinityTerm]?
    requiredDuringSchedulingIgnoredDuringExecution:[PodAffinityTerm]?
PodAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:[WeightedPodAffinityTerm]?
    requiredDuringSchedulingIgnoredDuringExecution:[PodAffinityTerm]?
EnvVar:
    name:str value:str? valueFrom:*EnvVarSource?
EnvFromSource:
    configMapRef:*ConfigMapEnvSource? prefix:str? secretRef:*SecretEnvSource?
Lifecycle:
    postStart:*LifecycleHandler? preStop:*LifecycleHandler? stopSignal:*str?
Probe:
    exec:*ExecAction? failureThreshold:int? grpc:*GRPCAction? httpGet:*HTTPGetAction?
    initialDelaySeconds:int? periodSeconds:int? successThreshold:int?
    tcpSocket:*TCPSocketAction? terminationGracePeriodSeconds:*int? timeoutSeconds:int?
ContainerPort:
    containerPort:int hostIP:str? hostPort:int? name:str? protocol:str?
ContainerResizePolicy:
    resourceName:str restartPolicy:str
ContainerRestartRule:
    action:str exitCodes:*ContainerRestartRuleOnExitCodes?
SecurityContext:
    allowPrivilegeEscalation:*bool? appArmorProfile:*AppArmorProfile?
    capabilities:*Capabilities? privileged:*bool? procMount:*str?
    readOnlyRootFilesystem:*bool? runAsGroup:*int? runAsNonRoot:*bool? runAsUser:*int?
    seLinuxOptions:*SELinuxOptions? seccompProfile:*SeccompProfile?
    windowsOptions:*WindowsSecurityContextOptions?
VolumeDevice:
    devicePath:str name:str
VolumeMount:
    bindMountOptions:[str]? mountPath:str mountPropagation:*str? name:str readOnly:bool?
    recursiveReadOnly:*str? subPath:str? subPathExpr:str?
PodDNSConfigOption:
    name:str? value:*str?
ResourceClaim:
    name:str request:str?
AppArmorProfile:
    localhostProfile:*str? type:str
SELinuxOptions:
    level:str? role:str? type:str? user:str?
SeccompProfile:
    localhostProfile:*str? type:str
Sysctl:
    name:str value:str
WindowsSecurityContextOptions:
    gmsaCredentialSpec:*str? gmsaCredentialSpecName:*str? hostProcess:*bool?
    runAsUserName:*str?
AWSElasticBlockStoreVolumeSource:
    fsType:str? partition:int? readOnly:bool? volumeID:str
AzureDiskVolumeSource:
    cachingMode:*str? diskName:str diskURI:str fsType:*str? kind:*str? readOnly:*bool?
AzureFileVolumeSource:
    readOnly:bool? secretName:str shareName:str
CephFSVolumeSource:
    monitors:[str] path:str? readOnly:bool? secretFile:str? secretRef:*LocalObjectReference?
    user:str?
CinderVolumeSource:
    fsType:str? readOnly:bool? secretRef:*LocalObjectReference? volumeID:str
ConfigMapVolumeSource:
    defaultMode:*int? defaultUser:*int? items:[KeyToPath]? name:str? optional:*bool?
CSIVolumeSource:
    driver:str fsType:*str? nodePublishSecretRef:*LocalObjectReference? readOnly:*bool?
    volumeAttributes:{str}?
DownwardAPIVolumeSource:
    defaultMode:*int? defaultUser:*int? items:[DownwardAPIVolumeFile]?
EmptyDirVolumeSource:
    medium:str? mode:*int? sizeLimit:*q?
EphemeralVolumeSource:
    volumeClaimTemplate:*PersistentVolumeClaimTemplate?
FCVolumeSource:
    fsType:str? lun:*int? readOnly:bool? targetWWNs:[str]? wwids:[str]?
FlexVolumeSource:
    driver:str fsType:str? options:{str}? readOnly:bool? secretRef:*LocalObjectReference?
FlockerVolumeSource:
    datasetName:str? datasetUUID:str?
GCEPersistentDiskVolumeSource:
    fsType:str? partition:int? pdName:str readOnly:bool?
GitRepoVolumeSource:
    directory:str? repository:str revision:str?
GlusterfsVolumeSource:
    endpoints:str path:str readOnly:bool?
HostPathVolumeSource:
    path:str type:*str?
ImageVolumeSource:
    pullPolicy:str? reference:str?
ISCSIVolumeSource:
    chapAuthDiscovery:bool? chapAuthSession:bool? fsType:str? initiatorName:*str? iqn:str
    iscsiInterface:str? lun:int portals:[str]? readOnly:bool?
    secretRef:*LocalObjectReference? targetPortal:str
NFSVolumeSource:
    path:str readOnly:bool? server:str
PersistentVolumeClaimVolumeSource:
    claimName:str readOnly:bool?
PhotonPersistentDiskVolumeSource:
    fsType:str? pdID:str
PortworxVolumeSource:
    fsType:str? readOnly:bool? volumeID:str
ProjectedVolumeSource:
    defaultMode:*int? defaultUser:*int? sources:[VolumeProjection]?
QuobyteVolumeSource:
    group:str? readOnly:bool? registry:str tenant:str? user:str? volume:str
RBDVolumeSource:
    fsType:str? image:str keyring:str? monitors:[str] pool:str? readOnly:bool?
    secretRef:*LocalObjectReference? user:str?
ScaleIOVolumeSource:
    fsType:str? gateway:str protectionDomain:str? readOnly:bool?
    secretRef:*LocalObjectReference sslEnabled:bool? storageMode:str? storagePool:str?
    system:str volumeName:str?
SecretVolumeSource:
    defaultMode:*int? defaultUser:*int? items:[KeyToPath]? optional:*bool? secretName:str?
StorageOSVolumeSource:
    fsType:str? readOnly:bool? secretRef:*LocalObjectReference? volumeName:str?
    volumeNamespace:str?
VsphereVirtualDiskVolumeSource:
    fsType:str? storagePolicyID:str? storagePolicyName:str? volumePath:str
ResourceStatus:
    name:str resources:[ResourceHealth]?
ContainerState:
    running:*ContainerStateRunning? terminated:*ContainerStateTerminated?
    waiting:*ContainerStateWaiting?
ContainerUser:
    linux:*LinuxContainerUser?
VolumeMountStatus:
    mountPath:str name:str readOnly:bool? recursiveReadOnly:str? volumeStatus:*VolumeStatus?
ContainerExtendedResourceRequest:
    containerName:str requestName:str resourceName:str
NodeAllocatableMappedResources:
    name:str quantity:str
NodeAllocatableOverheadResources:
    name:str perContainer:str? perPod:str?
VolumeHealthCondition:
    message:str? reason:str status:str
LabelSelectorRequirement:
    key:str operator:str values:[str]?
RollingUpdateDeployment:
    maxSurge:*ios? maxUnavailable:*ios?
RollingUpdateDaemonSet:
    maxSurge:*ios? maxUnavailable:*ios?
RollingUpdateStatefulSetStrategy:
    maxUnavailable:*ios? partition:*int?
PersistentVolumeClaimSpec:
    accessModes:[str]? dataSource:*TypedLocalObjectReference?
    dataSourceRef:*TypedObjectReference? resources:VolumeResourceRequirements?
    selector:*LabelSelector? storageClassName:*str? volumeAttributesClassName:*str?
    volumeMode:*str? volumeName:str?
PersistentVolumeClaimStatus:
    accessModes:[str]? allocatedResourceStatuses:{str}? allocatedResources:{q}?
    capacity:{q}? conditions:[PersistentVolumeClaimCondition]?
    currentVolumeAttributesClassName:str? healthStatus:*VolumeHealthStatus?
    modifyVolumeStatus:*ModifyVolumeStatus? phase:str?
PodFailurePolicyRule:
    action:str onExitCodes:*PodFailurePolicyOnExitCodesRequirement?
    onPodConditions:[PodFailurePolicyOnPodConditionsPattern]?
SuccessPolicyRule:
    succeededCount:*int? succeededIndexes:*str?
PreferredSchedulingTerm:
    preference:NodeSelectorTerm weight:int
NodeSelector:
    nodeSelectorTerms:[NodeSelectorTerm]
WeightedPodAffinityTerm:
    podAffinityTerm:PodAffinityTerm weight:int
PodAffinityTerm:
    labelSelector:*LabelSelector? matchLabelKeys:[str]? mismatchLabelKeys:[str]?
    namespaceSelector:*LabelSelector? namespaces:[str]? topologyKey:str
EnvVarSource:
    configMapKeyRef:*ConfigMapKeySelector? fieldRef:*ObjectFieldSelector?
    fileKeyRef:*FileKeySelector? resourceFieldRef:*ResourceFieldSelector?
    secretKeyRef:*SecretKeySelector?
ConfigMapEnvSource:
    name:str? optional:*bool?
SecretEnvSource:
    name:str? optional:*bool?
LifecycleHandler:
    exec:*ExecAction? httpGet:*HTTPGetAction? sleep:*SleepAction?
    tcpSocket:*TCPSocketAction?
ExecAction:
    command:[str]?
GRPCAction:
    mode:str? port:int service:*str?
HTTPGetAction:
    host:str? httpHeaders:[HTTPHeader]? path:str? port:ios protocol:str? scheme:str?
TCPSocketAction:
    host:str? port:ios
ContainerRestartRuleOnExitCodes:
    operator:str values:[int]?
Capabilities:
    add:[str]? drop:[str]?
KeyToPath:
    key:str mode:*int? path:str user:*int?
DownwardAPIVolumeFile:
    fieldRef:*ObjectFieldSelector? mode:*int? path:str
    resourceFieldRef:*ResourceFieldSelector? user:*int?
PersistentVolumeClaimTemplate:
    metadata:ObjectMeta? spec:PersistentVolumeClaimSpec
VolumeProjection:
    clusterTrustBundle:*ClusterTrustBundleProjection? configMap:*ConfigMapProjection?
    downwardAPI:*DownwardAPIProjection? podCertificate:*PodCertificateProjection?
    secret:*SecretProjection? serviceAccountToken:*ServiceAccountTokenProjection?
ResourceHealth:
    health:str? message:str? resourceID:str
ContainerStateRunning:
    startedAt:time?
ContainerStateTerminated:
    containerID:str? exitCode:int finishedAt:time? message:str? reason:str? signal:int?
    startedAt:time?
ContainerStateWaiting:
    message:str? reason:str?
LinuxContainerUser:
    gid:int supplementalGroups:[int]? uid:int
VolumeStatus:
    image:*ImageVolumeStatus?
TypedLocalObjectReference:
    apiGroup:str? kind:str name:str
TypedObjectReference:
    apiGroup:str? kind:str name:str namespace:str?
VolumeResourceRequirements:
    limits:{q}? requests:{q}?
PersistentVolumeClaimCondition:
    lastProbeTime:time? lastTransitionTime:time? message:str? reason:str? status:str
    type:str
VolumeHealthStatus:
    healthConditions:[VolumeHealthCondition]? lastTransitionTime:time?
ModifyVolumeStatus:
    status:str targetVolumeAttributesClassName:str?
PodFailurePolicyOnExitCodesRequirement:
    containerName:*str? operator:str values:[int]
PodFailurePolicyOnPodConditionsPattern:
    status:str? type:str
NodeSelectorTerm:
    matchExpressions:[NodeSelectorRequirement]? matchFields:[NodeSelectorRequirement]?
ConfigMapKeySelector:
    key:str name:str? optional:*bool?
ObjectFieldSelector:
    apiVersion:str? fieldPath:str
FileKeySelector:
    key:str optional:*bool? path:str volumeName:str
ResourceFieldSelector:
    containerName:str? divisor:q? resource:str
SecretKeySelector:
    key:str name:str? optional:*bool?
SleepAction:
    seconds:int
HTTPHeader:
    name:str value:str
ClusterTrustBundleProjection:
    labelSelector:*LabelSelector? name:*str? optional:*bool? path:str signerName:*str?
    user:*int?
ConfigMapProjection:
    items:[KeyToPath]? name:str? optional:*bool?
DownwardAPIProjection:
    items:[DownwardAPIVolumeFile]?
PodCertificateProjection:
    certificateChainPath:str? credentialBundlePath:str? keyPath:str? keyType:str
    maxExpirationSeconds:*int? signerName:str user:*int? userAnnotations:{str}?
SecretProjection:
    items:[KeyToPath]? name:str? optional:*bool?
ServiceAccountTokenProjection:
    audience:str? expirationSeconds:*int? path:str user:*int?
ImageVolumeStatus:
    imageRef:str
NodeSelectorRequirement:
    key:str operator:str values:[str]?
List:
    apiVersion:str? kind:str? metadata:ListMeta? items:[object]
ListMeta:
    continue:str? remainingItemCount:*int? resourceVersion:str? selfLink:str?
DeploymentConfig:
    apiVersion:str? kind:str? metadata:ObjectMeta? spec:DeploymentConfigSpec
    status:DeploymentConfigStatus
DeploymentConfigSpec:
    strategy:DCStrategy minReadySeconds:int? triggers:[DCTriggerPolicy] replicas:int
    revisionHistoryLimit:*int? test:bool paused:bool? selector:{str}? template:*PodTemplateSpec?
DCStrategy:
    type:str? customParams:*DCCustomParams? recreateParams:*DCRecreateParams?
    rollingParams:*DCRollingParams? resources:ResourceRequirements? labels:{str}?
    annotations:{str}? activeDeadlineSeconds:*int?
DCCustomParams:
    image:str? environment:[EnvVar]? command:[str]?
DCRecreateParams:
    timeoutSeconds:*int? pre:*DCLifecycleHook? mid:*DCLifecycleHook? post:*DCLifecycleHook?
DCRollingParams:
    updatePeriodSeconds:*int? intervalSeconds:*int? timeoutSeconds:*int? maxUnavailable:*ios?
    maxSurge:*ios? pre:*DCLifecycleHook? post:*DCLifecycleHook?
DCLifecycleHook:
    failurePolicy:str execNewPod:*DCExecNewPodHook? tagImages:[DCTagImageHook]?
DCExecNewPodHook:
    command:[str] env:[EnvVar]? containerName:str volumes:[str]?
DCTagImageHook:
    containerName:str to:ObjectReference
DCTriggerPolicy:
    type:str? imageChangeParams:*DCImageChangeParams?
DCImageChangeParams:
    automatic:bool? containerNames:[str]? from:ObjectReference lastTriggeredImage:str?
DeploymentConfigStatus:
    latestVersion:int observedGeneration:int replicas:int updatedReplicas:int
    availableReplicas:int unavailableReplicas:int details:*DCDetails? conditions:[DCCondition]?
    readyReplicas:int?
DCDetails:
    message:str? causes:[DCCause]
DCCause:
    type:str imageTrigger:*DCCauseImageTrigger?
DCCauseImageTrigger:
    from:ObjectReference
DCCondition:
    type:str status:str lastUpdateTime:time? lastTransitionTime:time? reason:str? message:str?
"""

# Istio 1.7 was built on Kubernetes 1.18 types: fields added since then did not exist
# (Go dropped them as unknown), ObjectMeta still had clusterName, and StatefulSet's
# serviceName and HostAlias's ip had the other omitempty setting.
_LEGACY_DELTA = """
drop:
    ConfigMapVolumeSource.defaultUser Container.resizePolicy Container.restartPolicy
    Container.restartPolicyRules ContainerStatus.allocatedResources
    ContainerStatus.allocatedResourcesStatus ContainerStatus.resources
    ContainerStatus.stopSignal ContainerStatus.user ContainerStatus.volumeMounts
    DeploymentStatus.terminatingReplicas DownwardAPIVolumeFile.user
    DownwardAPIVolumeSource.defaultUser EmptyDirVolumeSource.mode EnvVarSource.fileKeyRef
    EphemeralContainer.resizePolicy EphemeralContainer.restartPolicy
    EphemeralContainer.restartPolicyRules HTTPGetAction.protocol JobSpec.backoffLimitPerIndex
    JobSpec.completionMode JobSpec.managedBy JobSpec.maxFailedIndexes JobSpec.podFailurePolicy
    JobSpec.podReplacementPolicy JobSpec.scheduling JobSpec.successPolicy JobSpec.suspend
    JobStatus.completedIndexes JobStatus.failedIndexes JobStatus.ready JobStatus.terminating
    JobStatus.uncountedTerminatedPods KeyToPath.user Lifecycle.stopSignal
    ManagedFieldsEntry.subresource PersistentVolumeClaimSpec.dataSourceRef
    PersistentVolumeClaimSpec.volumeAttributesClassName
    PersistentVolumeClaimStatus.allocatedResourceStatuses
    PersistentVolumeClaimStatus.allocatedResources
    PersistentVolumeClaimStatus.currentVolumeAttributesClassName
    PersistentVolumeClaimStatus.healthStatus PersistentVolumeClaimStatus.modifyVolumeStatus
    PodAffinityTerm.matchLabelKeys PodAffinityTerm.mismatchLabelKeys
    PodAffinityTerm.namespaceSelector PodCondition.observedGeneration
    PodSecurityContext.appArmorProfile PodSecurityContext.seLinuxChangePolicy
    PodSecurityContext.seccompProfile PodSecurityContext.supplementalGroupsPolicy
    PodSpec.evictionResponders PodSpec.hostUsers PodSpec.hostnameOverride PodSpec.os
    PodSpec.resourceClaims PodSpec.resources PodSpec.schedulingGates PodSpec.schedulingGroup
    PodSpec.setHostnameAsFQDN PodStatus.allocatedResources PodStatus.extendedResourceClaimStatus
    PodStatus.hostIPs PodStatus.nodeAllocatableResourceClaimStatuses
    PodStatus.observedGeneration PodStatus.resize PodStatus.resourceClaimStatuses
    PodStatus.resources PodStatus.volumeHealth Probe.grpc Probe.terminationGracePeriodSeconds
    ProjectedVolumeSource.defaultUser ReplicaSetStatus.terminatingReplicas
    ResourceRequirements.claims RollingUpdateDaemonSet.maxSurge
    RollingUpdateStatefulSetStrategy.maxUnavailable SecretVolumeSource.defaultUser
    SecurityContext.appArmorProfile SecurityContext.seccompProfile
    ServiceAccountTokenProjection.user StatefulSetSpec.minReadySeconds StatefulSetSpec.ordinals
    StatefulSetSpec.persistentVolumeClaimRetentionPolicy StatefulSetStatus.availableReplicas
    TopologySpreadConstraint.matchLabelKeys TopologySpreadConstraint.minDomains
    TopologySpreadConstraint.nodeAffinityPolicy TopologySpreadConstraint.nodeTaintsPolicy
    Volume.ephemeral Volume.image VolumeMount.bindMountOptions VolumeMount.recursiveReadOnly
    VolumeProjection.clusterTrustBundle VolumeProjection.podCertificate
    WindowsSecurityContextOptions.hostProcess CronJobSpec.timeZone
    CronJobStatus.lastSuccessfulTime LifecycleHandler.sleep
add:
    ObjectMeta.clusterName:str?
set:
    StatefulSetSpec.serviceName:str HostAlias.ip:str?
"""


class K8sTypeError(ValueError):
    """The object cannot be decoded into its Go type (Go's Unmarshal would fail)."""


# (group, kind) -> root struct; every version of a group maps to the same struct
KINDS: dict[tuple[str, str], str] = {
    ("", "Pod"): "Pod",
    ("", "ReplicationController"): "ReplicationController",
    ("", "List"): "List",
    ("apps", "Deployment"): "Deployment",
    ("extensions", "Deployment"): "Deployment",
    ("apps", "DaemonSet"): "DaemonSet",
    ("extensions", "DaemonSet"): "DaemonSet",
    ("apps", "ReplicaSet"): "ReplicaSet",
    ("extensions", "ReplicaSet"): "ReplicaSet",
    ("apps", "StatefulSet"): "StatefulSet",
    ("batch", "Job"): "Job",
    ("batch", "CronJob"): "CronJob",
    ("apps.openshift.io", "DeploymentConfig"): "DeploymentConfig",
}

_SCALARS = frozenset(("str", "int", "bool", "float", "q", "ios", "time", "raw", "object"))


def _parse_type(text: str) -> tuple:
    if text.startswith("*"):
        return ("ptr", _parse_type(text[1:]))
    if text.startswith("["):
        return ("list", _parse_type(text[1:-1]))
    if text.startswith("{"):
        return ("map", _parse_type(text[1:-1]))
    if text in _SCALARS:
        return (text,)
    return ("struct", text)


def _parse_schema(text: str) -> dict[str, dict[str, tuple[tuple, bool]]]:
    types: dict[str, dict[str, tuple[tuple, bool]]] = {}
    current: dict[str, tuple[tuple, bool]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            current = types.setdefault(line.rstrip(":"), {})
            continue
        for entry in line.split():
            name, _, spec = entry.partition(":")
            omit = spec.endswith("?")
            current[name] = (_parse_type(spec.rstrip("?")), omit)
    for tname, fields in types.items():  # every struct reference must resolve
        for fname, (spec, _o) in fields.items():
            inner = spec
            while inner[0] in ("ptr", "list", "map"):
                inner = inner[1]
            if inner[0] == "struct" and inner[1] not in types:
                raise AssertionError(f"k8stypes schema: {tname}.{fname} names unknown type {inner[1]}")
    return types


def _legacy_schema(schema: dict, delta: str) -> dict:
    out = {t: dict(fields) for t, fields in schema.items()}
    section = ""
    for word in delta.split():
        if word.endswith(":") and "." not in word:
            section = word[:-1]
            continue
        tname, _, rest = word.partition(".")
        fname, _, spec = rest.partition(":")
        if section == "drop":
            if out[tname].pop(fname, None) is None:
                raise AssertionError(f"k8stypes legacy delta: no field {word}")
        else:
            out[tname][fname] = (_parse_type(spec.rstrip("?")), spec.endswith("?"))
    return out


SCHEMA = _parse_schema(_SCHEMA)
LEGACY_SCHEMA = _legacy_schema(SCHEMA, _LEGACY_DELTA)


def root_type(obj: Any) -> str | None:
    """The Go struct a kube-inject'ed object decodes into, or None for other kinds."""
    if not isinstance(obj, dict):
        return None
    api = obj.get("apiVersion")
    kind = obj.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str):
        return None
    group = api.rpartition("/")[0] if "/" in api else ""
    return KINDS.get((group, kind))


# --- compiled tables --------------------------------------------------------------------

# value kinds of a compiled spec `(kind, arg, zero_json)`; arg is the StructTable of a
# struct, the inner spec of a pointer, slice or map, the variant's tables for `object`
STR, INT, BOOL, FLOAT, Q, IOS, TIME, RAW, OBJECT, STRUCT, PTR, LIST, MAP = range(13)
_KIND_CODES = {"str": STR, "int": INT, "bool": BOOL, "float": FLOAT, "q": Q, "ios": IOS,
               "time": TIME, "raw": RAW, "object": OBJECT, "struct": STRUCT, "ptr": PTR,
               "list": LIST, "map": MAP}
# what a non-omitempty field, a slice element or a map value prints for a Go zero value
_ZERO_JSON = {STR: "", INT: 0, FLOAT: 0, BOOL: False}


class StructTable:
    """One Go struct of one schema variant, ready to decode into.

    `fields[i] = (name, spec, omit, drop_none)` in schema (output) order; `index` and
    `folded` map an exact or lower-cased JSON key to i; `absent` lists, in field order,
    `(i, name, const, sub)` for every field an absent value still writes: `const`, or a
    fresh zero `sub` struct when `sub` is not None. `zero` is this struct's own zero
    output with `zero_subs` `(name, sub)` the nested structs a copy must renew.
    """

    __slots__ = ("name", "fields", "index", "folded", "absent", "zero", "zero_subs")

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: tuple = ()
        self.index: dict[str, int] = {}
        self.folded: dict[str, int] = {}
        self.absent: tuple = ()
        self.zero: dict = {}
        self.zero_subs: tuple = ()


_TABLES: dict[tuple[bool, bool], dict[str, StructTable]] = {}


def tables(legacy: bool, omit_ct: bool) -> dict[str, StructTable]:
    """The struct tables of one schema variant (built on first use, then shared)."""
    key = (bool(legacy), bool(omit_ct))
    built = _TABLES.get(key)
    if built is None:
        built = _TABLES[key] = _build(LEGACY_SCHEMA if legacy else SCHEMA, key[1])
    return built


def _build(schema: dict, omit_ct: bool) -> dict[str, StructTable]:
    out = {name: StructTable(name) for name in schema}

    def spec_of(parsed: tuple) -> tuple:
        code = _KIND_CODES[parsed[0]]
        if code == STRUCT:
            arg: Any = out[parsed[1]]
        elif code in (PTR, LIST, MAP):
            arg = spec_of(parsed[1])
        elif code == OBJECT:
            arg = out
        else:
            arg = None
        return (code, arg, _ZERO_JSON.get(code))

    for name, fields in schema.items():
        t = out[name]
        t.fields = tuple(
            (fname, spec_of(parsed), omit,
             omit_ct and name == "ObjectMeta" and fname == "creationTimestamp")
            for fname, (parsed, omit) in fields.items())
        t.index = {f[0]: i for i, f in enumerate(t.fields)}
        t.folded = {}
        for fname in fields:  # the last of several names folding alike wins, as before
            t.folded[fname.lower()] = t.index[fname]
        absent = []
        for i, (fname, spec, omit, drop_none) in enumerate(t.fields):
            code = spec[0]
            if code == STRUCT:
                absent.append((i, fname, None, spec[1]))  # Go structs are never omitted
            elif code == Q:
                absent.append((i, fname, "0", None))
            elif code == IOS:
                absent.append((i, fname, 0, None))
            elif code == TIME:
                if not drop_none:
                    absent.append((i, fname, None, None))  # the zero metav1.Time is null
            elif not omit:
                absent.append((i, fname, spec[2], None))
        t.absent = tuple(absent)

    done: set[str] = set()

    def zero_of(t: StructTable) -> None:
        if t.name in done:
            return
        done.add(t.name)
        t.zero = {}
        subs = []
        for _i, fname, const, sub in t.absent:
            if sub is not None:
                zero_of(sub)
                subs.append((fname, sub))
            t.zero[fname] = const  # a sub struct's copy replaces this placeholder
        t.zero_subs = tuple(subs)

    for t in out.values():
        zero_of(t)
    return out


def clone_zero(t: StructTable) -> dict:
    """A fresh copy of struct `t`'s zero output (callers own and may change it)."""
    d = dict(t.zero)
    for fname, sub in t.zero_subs:
        d[fname] = clone_zero(sub)
    return d


# --- the normaliser -----------------------------------------------------------------------

class _Fail(Exception):
    """A decode error on its way up: `segs` collects the path, innermost first."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.segs: list[str] = []


def normalize(obj: Any, *, omit_creation_timestamp: bool = False, legacy: bool | None = None,
              as_type: str | None = None) -> Any:
    """`obj` decoded into its Go type and encoded again (see `injector.k8stypes`)."""
    if legacy is None:
        legacy = not omit_creation_timestamp
    if as_type is not None:
        if as_type not in SCHEMA:
            raise ValueError(f"k8stypes: unknown Go type {as_type!r}")
        typ = as_type
    else:
        typ = root_type(obj)
        if typ is None:
            api = obj.get("apiVersion") if isinstance(obj, dict) else None
            kind = obj.get("kind") if isinstance(obj, dict) else None
            raise ValueError(f"k8stypes: no Go type for apiVersion={api!r} kind={kind!r}")
    table = tables(legacy, omit_creation_timestamp)[typ]
    try:
        return _struct(table, obj)
    except _Fail as e:
        raise K8sTypeError(f"{typ}{''.join(reversed(e.segs))}: {e.message}") from None


_EMPTY = object()  # marker: a zero value that omitempty drops


class _EmptyList(list):
    """An empty but non-nil slice: omitempty drops it, otherwise it prints []."""


class _EmptyMap(dict):
    """An empty but non-nil map: omitempty drops it, otherwise it prints {}."""


_EMPTY_LIST = _EmptyList()
_EMPTY_MAP = _EmptyMap()


def _struct(t: StructTable, value: Any) -> dict:
    if value is None:
        return clone_zero(t)
    if not isinstance(value, dict):
        raise _Fail(f"cannot unmarshal {_json_kind(value)} into Go struct {t.name}")
    index = t.index
    folded = t.folded
    given: dict[int, Any] = {}
    for key, v in value.items():
        i = index.get(key)
        if i is None:
            i = folded.get(key.lower())
            if i is None:
                continue
        given[i] = v
    if not given:
        return clone_zero(t)
    fields = t.fields
    absent = t.absent
    n_absent = len(absent)
    a = 0
    out: dict[str, Any] = {}
    name = ""
    try:
        for i in sorted(given):
            # the always-written absent fields before this one keep their place
            while a < n_absent:
                ai, aname, const, sub = absent[a]
                if ai > i:
                    break
                a += 1
                if ai < i:
                    out[aname] = const if sub is None else clone_zero(sub)
            name, spec, omit, drop_none = fields[i]
            v = given[i]
            if spec[0] == STR and type(v) is str:  # the most common field, inline
                if v:
                    out[name] = v
                elif not omit:
                    out[name] = ""
                continue
            r = _value(spec, v)
            if r is _EMPTY or r is _EMPTY_LIST or r is _EMPTY_MAP:
                if omit:
                    continue
                r = spec[2] if r is _EMPTY else ([] if r is _EMPTY_LIST else {})
            elif drop_none and r is None:
                continue
            out[name] = r
    except _Fail as e:
        e.segs.append("." + name)
        raise
    while a < n_absent:
        _ai, aname, const, sub = absent[a]
        a += 1
        out[aname] = const if sub is None else clone_zero(sub)
    return out


def _value(spec: tuple, v: Any) -> Any:
    """The JSON of field value `v`, or a marker (_EMPTY...) when omitempty would drop it."""
    code = spec[0]
    if code == STR:
        if type(v) is str:
            return v if v else _EMPTY
        if v is None:
            return _EMPTY
        s = _as_string(v)
        return s if s else _EMPTY
    if code == STRUCT:
        return _struct(spec[1], v)
    if code == PTR:
        if v is None:
            return _EMPTY
        inner = spec[1]
        r = _value(inner, v)
        return inner[2] if r is _EMPTY else r  # a set pointer is never empty
    if code == LIST:
        if v is None:
            return _EMPTY
        if not isinstance(v, list):
            raise _Fail(f"cannot unmarshal {_json_kind(v)} into Go slice")
        if not v:
            return _EMPTY_LIST
        inner = spec[1]
        out = []
        i = 0
        try:
            if inner[0] == STRUCT:  # struct elements never come back as markers
                table = inner[1]
                for item in v:
                    out.append(_struct(table, item))
                    i += 1
            elif inner[0] == STR:  # a string element is kept as it is, "" included
                for item in v:
                    out.append(item if type(item) is str else _element(inner, item))
                    i += 1
            else:
                for item in v:
                    out.append(_element(inner, item))
                    i += 1
        except _Fail as e:
            e.segs.append(f"[{i}]")
            raise
        return out
    if code == INT:
        if v is None:
            return _EMPTY
        n = _as_int(v)
        return n if n else _EMPTY
    if code == MAP:
        if v is None:
            return _EMPTY
        if not isinstance(v, dict):
            raise _Fail(f"cannot unmarshal {_json_kind(v)} into Go map")
        if not v:
            return _EMPTY_MAP
        inner = spec[1]
        out_map = {}
        k = None
        try:
            for k, item in v.items():
                out_map[k] = _element(inner, item)
        except _Fail as e:
            e.segs.append(f".{k}")
            raise
        return out_map
    if code == BOOL:
        if v is None:
            return _EMPTY
        if not isinstance(v, bool):
            raise _Fail(f"cannot unmarshal {_json_kind(v)} into Go value of type bool")
        return v if v else _EMPTY
    if code == Q:
        return as_quantity(v)
    if code == IOS:
        return _int_or_string(v)
    if code == TIME:
        return as_time(v)
    if code == FLOAT:
        if v is None:
            return _EMPTY
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _Fail(f"cannot unmarshal {_json_kind(v)} into Go value of type float64")
        return v if v else _EMPTY
    if code == OBJECT:
        if v is None:
            return _EMPTY
        typ = root_type(v)
        if typ is not None:
            return _struct(spec[1][typ], v)
        return v
    # raw: any JSON, kept as it is
    return _EMPTY if v is None else v


def _element(spec: tuple, item: Any) -> Any:
    """A slice element or map value: always written, zero values included."""
    r = _value(spec, item)
    if r is _EMPTY:
        return spec[2]  # "" / 0 / false, or null for nil
    if r is _EMPTY_LIST:
        return []
    if r is _EMPTY_MAP:
        return {}
    return r


# --- scalars (shared with the compiled backend) ---------------------------------------------

def _json_kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


json_kind = _json_kind


def _as_string(v: Any) -> str:
    if isinstance(v, str):
        return v
    # sigs.k8s.io/yaml turns YAML numbers and booleans bound for a string into text
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_format_float(v, 32)
    raise _Fail(f"cannot unmarshal {_json_kind(v)} into Go value of type string")


def _as_int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _Fail(f"cannot unmarshal {_json_kind(v)} into Go value of type int")
    if isinstance(v, float):
        if not v.is_integer() or math.isinf(v):
            raise _Fail(f"cannot unmarshal number {v} into Go value of type int")
        return int(v)
    return v


def _int_or_string(v: Any) -> int | str:
    if isinstance(v, str):
        return v
    if v is None:
        return 0  # IntOrString.UnmarshalJSON(null) leaves an int 0
    return _as_int(v)


_QUANTITIES: dict[str, str] = {}  # canonical text of quantity strings seen (pure function)


def as_quantity(v: Any) -> str:
    """resource.Quantity in and out (canonical text); raises _Fail."""
    if type(v) is str:
        q = _QUANTITIES.get(v)
        if q is not None:
            return q
    try:
        q = quantity.from_json(v)
    except quantity.QuantityError as e:
        raise _Fail(str(e)) from None
    if type(v) is str:
        if len(_QUANTITIES) >= 1024:
            _QUANTITIES.clear()
        _QUANTITIES[v] = q
    return q


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))")


def as_time(v: Any) -> str | None:
    """metav1.Time: RFC 3339 in, RFC 3339 UTC whole seconds out; null for the zero time."""
    if v is None:
        return None
    if not isinstance(v, str):
        raise _Fail(f"cannot unmarshal {_json_kind(v)} into metav1.Time")
    m = _RFC3339.fullmatch(v)
    if m is None:
        raise _Fail(f'parsing time "{v}" as RFC 3339 failed')
    try:
        t = _dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]),
                         tzinfo=_dt.timezone.utc)
    except ValueError:
        raise _Fail(f'parsing time "{v}": out of range') from None
    if not m[8]:
        offset = _dt.timedelta(hours=int(m[10]), minutes=int(m[11]))
        try:
            t = t - offset if m[9] == "+" else t + offset
        except OverflowError:
            raise _Fail(f'time "{v}" is outside years 1-9999') from None
    if t == _ZERO_TIME:
        return None  # Go's zero time.Time marshals as null
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T"
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z")


_ZERO_TIME = _dt.datetime(1, 1, 1, tzinfo=_dt.timezone.utc)
