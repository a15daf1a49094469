package dev.jcni.plugins.cri;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The calls kubelet makes to a container runtime over the CRI (Kubernetes' Container Runtime
 * Interface, gRPC service {@code runtime.v1.RuntimeService}), made here over a runtime's unix socket
 * with grpc-java. The messages are encoded by hand ({@link Wire}): only the fields these calls set or
 * read, with the field numbers of the public definitions (cri-api, {@code pkg/apis/runtime/v1/api.proto});
 * so the build needs no protoc and no generated code, only grpc-java's jars from Maven Central.
 * Each method's javadoc names the messages and field numbers it writes and reads.
 *
 * <p>A call that the runtime refuses throws {@link StatusRuntimeException} with the runtime's
 * message; every call has a deadline (a hang guard, not a performance bound).
 */
final class CriClient implements AutoCloseable {
    private static final String SERVICE = "runtime.v1.RuntimeService/";
    /** Hang guard of one call; RunPodSandbox runs the whole CNI ADD chain, cold, on a loaded machine. */
    private static final long DEADLINE_SECONDS = 300;

    private final ManagedChannel channel;

    private CriClient(ManagedChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects to a runtime's CRI socket.
     *
     * @param socket the unix socket's path
     * @return the client
     */
    static CriClient connect(Path socket) {
        return new CriClient(Grpc.newChannelBuilder("unix://" + socket.toAbsolutePath(), InsecureChannelCredentials.create()).build());
    }

    /** A port the pod publishes on the node (PortMapping: protocol 1 = TCP (0), container_port 2, host_port 3, host_ip 4). */
    record PortMapping(int containerPort, int hostPort) {
    }

    /**
     * What kubelet puts in a PodSandboxConfig for a pod.
     *
     * @param name the pod's name (metadata.name 1)
     * @param uid the pod's uid (metadata.uid 2)
     * @param namespace the pod's Kubernetes namespace (metadata.namespace 3)
     * @param logDirectory where the runtime writes the containers' logs (log_directory 3)
     * @param ports published ports (port_mappings 5)
     * @param cgroupParent the pod's parent cgroup, cgroupfs style (linux.cgroup_parent)
     * @param host the node's network, PID and IPC namespaces and a privileged sandbox (hostNetwork,
     *     hostPID, hostIPC and a privileged container, as a DaemonSet's pod asks), rather than the pod's own
     */
    record PodConfig(String name, String uid, String namespace, Path logDirectory, List<PortMapping> ports, String cgroupParent,
                     boolean host) {
        /**
         * PodSandboxConfig: metadata 1 {name 1, uid 2, namespace 3, attempt 4}, hostname 2,
         * log_directory 3, port_mappings 5, labels 6, linux 8 {cgroup_parent 1, security_context 2
         * {namespace_options 1 {network 1, pid 2, ipc 3}, privileged 6}}: an ordinary pod shares none of
         * the node's namespaces (network POD (0), pid CONTAINER (1), ipc POD (0)); a host pod all three
         * (NODE (2)).
         */
        Wire.Msg encode() {
            Wire.Msg m = new Wire.Msg()
                    .msg(1, new Wire.Msg().str(1, name).str(2, uid).str(3, namespace).num(4, 0))
                    .str(2, host ? "" : name)
                    .str(3, logDirectory.toString());
            for (PortMapping p : ports) {
                m.msg(5, new Wire.Msg().num(1, 0).num(2, p.containerPort).num(3, p.hostPort));
            }
            m.map(6, Map.of("io.kubernetes.pod.name", name, "io.kubernetes.pod.namespace", namespace, "io.kubernetes.pod.uid", uid));
            return m.msg(8, new Wire.Msg().str(1, cgroupParent).msg(2, new Wire.Msg().msg(1, namespaces(host)).num(6, host ? 1 : 0)));
        }
    }

    /** NamespaceOption {network 1, pid 2, ipc 3}: the node's (NODE = 2) or the pod's own. */
    private static Wire.Msg namespaces(boolean host) {
        return host ? new Wire.Msg().num(1, 2).num(2, 2).num(3, 2) : new Wire.Msg().num(1, 0).num(2, 1).num(3, 0);
    }

    /** A host path mounted into a container (Mount: container_path 1, host_path 2, readonly 3). */
    record Mount(String containerPath, String hostPath, boolean readOnly) {
    }

    /**
     * A container of a pod.
     *
     * @param name its name (ContainerConfig.metadata.name)
     * @param image the image's reference (ContainerConfig.image.image)
     * @param command the command (ContainerConfig.command)
     * @param args its arguments (ContainerConfig.args)
     * @param env its environment, added to the image's (ContainerConfig.envs)
     * @param mounts host paths it mounts (ContainerConfig.mounts)
     * @param host privileged, in the node's network, PID and IPC namespaces (the pod must be a host pod)
     */
    record ContainerConfig(String name, String image, List<String> command, List<String> args, Map<String, String> env,
                           List<Mount> mounts, boolean host) {
        /** An ordinary container: a command, nothing else. */
        ContainerConfig(String name, String image, List<String> command) {
            this(name, image, command, List.of(), Map.of(), List.of(), false);
        }

        /**
         * ContainerConfig: metadata 1 {name 1, attempt 2}, image 2 {image 1}, command 3, args 4, envs 6
         * {key 1, value 2}, mounts 7, log_path 11, linux 15 {security_context 2 {privileged 2,
         * namespace_options 3}}.
         */
        Wire.Msg encode() {
            Wire.Msg m = new Wire.Msg()
                    .msg(1, new Wire.Msg().str(1, name).num(2, 0))
                    .msg(2, new Wire.Msg().str(1, image))
                    .strs(3, command)
                    .strs(4, args);
            env.forEach((k, v) -> m.msg(6, new Wire.Msg().str(1, k).str(2, v)));
            for (Mount mount : mounts) {
                m.msg(7, new Wire.Msg().str(1, mount.containerPath).str(2, mount.hostPath).num(3, mount.readOnly ? 1 : 0));
            }
            m.str(11, name + ".log");
            return m.msg(15, host ? new Wire.Msg().msg(2, new Wire.Msg().num(2, 1).msg(3, namespaces(true))) : new Wire.Msg());
        }
    }

    /**
     * What ContainerStatus answers.
     *
     * @param state CONTAINER_CREATED (0), CONTAINER_RUNNING (1), CONTAINER_EXITED (2), CONTAINER_UNKNOWN (3)
     * @param exitCode its exit code, once exited
     * @param logPath the file its output goes to
     */
    record ContainerState(int state, int exitCode, String logPath) {
        static final int EXITED = 2;
    }

    /**
     * What PodSandboxStatus answers.
     *
     * @param id the sandbox's id
     * @param ready state SANDBOX_READY (0) rather than SANDBOX_NOTREADY (1)
     * @param ip the pod's address (network.ip), "" when it has none
     * @param info the verbose information (runtime-defined JSON values)
     */
    record SandboxStatus(String id, boolean ready, String ip, Map<String, String> info) {
    }

    /**
     * What ExecSync answers.
     *
     * @param stdout the command's stdout
     * @param stderr the command's stderr
     * @param exitCode its exit code
     */
    record ExecResult(String stdout, String stderr, int exitCode) {
    }

    /**
     * Version: VersionRequest {version 1}; VersionResponse {runtime_name 2, runtime_version 3}.
     *
     * @return "name version", e.g. "containerd 1.6.20~ds1"
     */
    String version() {
        Wire.Fields r = call("Version", new Wire.Msg().str(1, "v1"));
        return r.str(2) + " " + r.str(3);
    }

    /**
     * RunPodSandbox: RunPodSandboxRequest {config 1, runtime_handler 2}; RunPodSandboxResponse {pod_sandbox_id 1}.
     * The runtime sets up the pod's network (CNI ADD) before answering.
     *
     * @param pod the pod
     * @param runtimeHandler the runtime handler ("" for the runtime's default)
     * @return the sandbox's id
     */
    String runPodSandbox(PodConfig pod, String runtimeHandler) {
        return call("RunPodSandbox", new Wire.Msg().msg(1, pod.encode()).str(2, runtimeHandler)).str(1);
    }

    /**
     * PodSandboxStatus: PodSandboxStatusRequest {pod_sandbox_id 1, verbose 2}; PodSandboxStatusResponse
     * {status 1 {id 1, state 3, network 5 {ip 1}}, info 2}.
     *
     * @param sandboxId the sandbox
     * @return its status, with the verbose information
     */
    SandboxStatus podSandboxStatus(String sandboxId) {
        Wire.Fields r = call("PodSandboxStatus", new Wire.Msg().str(1, sandboxId).num(2, 1));
        Wire.Fields s = r.msg(1);
        Map<String, String> info = new LinkedHashMap<>();
        for (Wire.Fields e : r.msgs(2)) {
            info.put(e.str(1), e.str(2));
        }
        return new SandboxStatus(s.str(1), s.num(3) == 0, s.msg(5).str(1), info);
    }

    /**
     * ListPodSandbox: ListPodSandboxRequest {} (no filter); ListPodSandboxResponse {items 1 {id 1}}.
     *
     * @return the ids of every sandbox the runtime knows
     */
    List<String> listPodSandboxIds() {
        List<String> ids = new ArrayList<>();
        for (Wire.Fields item : call("ListPodSandbox", new Wire.Msg()).msgs(1)) {
            ids.add(item.str(1));
        }
        return ids;
    }

    /**
     * CreateContainer: CreateContainerRequest {pod_sandbox_id 1, config 2, sandbox_config 3};
     * CreateContainerResponse {container_id 1}.
     *
     * @param sandboxId the pod's sandbox
     * @param container the container
     * @param pod the pod's configuration, as given to RunPodSandbox
     * @return the container's id
     */
    String createContainer(String sandboxId, ContainerConfig container, PodConfig pod) {
        return call("CreateContainer", new Wire.Msg().str(1, sandboxId).msg(2, container.encode()).msg(3, pod.encode())).str(1);
    }

    /**
     * StartContainer: StartContainerRequest {container_id 1}; StartContainerResponse {}.
     *
     * @param containerId the container
     */
    void startContainer(String containerId) {
        call("StartContainer", new Wire.Msg().str(1, containerId));
    }

    /**
     * ContainerStatus: ContainerStatusRequest {container_id 1}; ContainerStatusResponse {status 1
     * {state 3, exit_code 7, log_path 15}}.
     *
     * @param containerId the container
     * @return its state
     */
    ContainerState containerStatus(String containerId) {
        Wire.Fields s = call("ContainerStatus", new Wire.Msg().str(1, containerId)).msg(1);
        return new ContainerState((int) s.num(3), (int) s.num(7), s.str(15));
    }

    /**
     * StopContainer: StopContainerRequest {container_id 1, timeout 2}: the stop signal, then SIGKILL
     * after the timeout.
     *
     * @param containerId the container
     * @param timeoutSeconds the grace period
     */
    void stopContainer(String containerId, int timeoutSeconds) {
        call("StopContainer", new Wire.Msg().str(1, containerId).num(2, timeoutSeconds));
    }

    /**
     * ExecSync: ExecSyncRequest {container_id 1, cmd 2, timeout 3}; ExecSyncResponse {stdout 1,
     * stderr 2, exit_code 3}.
     *
     * @param containerId the container
     * @param timeoutSeconds the runtime's time limit for the command
     * @param cmd the command
     * @return what it printed and its exit code
     */
    ExecResult execSync(String containerId, int timeoutSeconds, String... cmd) {
        Wire.Fields r = call("ExecSync", new Wire.Msg().str(1, containerId).strs(2, List.of(cmd)).num(3, timeoutSeconds));
        return new ExecResult(new String(r.raw(1), StandardCharsets.UTF_8), new String(r.raw(2), StandardCharsets.UTF_8), (int) r.num(3));
    }

    /**
     * StopPodSandbox: StopPodSandboxRequest {pod_sandbox_id 1}. The runtime stops the pod's containers
     * and tears its network down (CNI DEL) before answering.
     *
     * @param sandboxId the sandbox
     */
    void stopPodSandbox(String sandboxId) {
        call("StopPodSandbox", new Wire.Msg().str(1, sandboxId));
    }

    /**
     * RemovePodSandbox: RemovePodSandboxRequest {pod_sandbox_id 1}. Removes the sandbox and its containers.
     *
     * @param sandboxId the sandbox
     */
    void removePodSandbox(String sandboxId) {
        call("RemovePodSandbox", new Wire.Msg().str(1, sandboxId));
    }

    private Wire.Fields call(String method, Wire.Msg request) {
        MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(SERVICE + method)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        byte[] answer = ClientCalls.blockingUnaryCall(channel, m,
                CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS), request.toBytes());
        return Wire.decode(answer);
    }

    /** Messages pass through as their encoded bytes. */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
    }
}
