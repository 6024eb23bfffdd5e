using Chas.Cli;
using Chas.Contracts;

namespace Chas.Cli.Tests;

public sealed class ManifestReaderTests
{
    private static IReadOnlyList<Manifest> Read(string yaml) => ManifestReader.Read(new StringReader(yaml), "app.yaml");

    private static string ErrorOf(string yaml) => Assert.Throws<CliException>(() => Read(yaml)).Message;

    [Fact]
    public void A_deployment_document_becomes_an_apply_request_with_quantities_in_canonical_units()
    {
        var manifest = Assert.Single(Read("""
            kind: Deployment
            name: web
            namespace: shop
            image: nginx:1.27
            command: [nginx, -g, "daemon off;"]
            env:
              MODE: production
              PORT: 8080
            cpu: 0.5
            memory: 256Mi
            gpus: 1
            replicas: 3
            strategy: binpack
            nodeSelector:
              zone: a
            maxSurge: 2
            maxUnavailable: 1
            progressDeadlineSeconds: 90
            ports: [8080]
            """));

        var d = Assert.IsType<DeploymentManifest>(manifest);
        Assert.Equal("deployment/web", d.Id);
        Assert.Equal("shop", d.Namespace);
        var r = d.Request;
        Assert.Equal("web", r.Name);
        Assert.Equal("nginx:1.27", r.Image);
        Assert.Equal(["nginx", "-g", "daemon off;"], r.Command);
        Assert.Equal("8080", r.Env!["PORT"]);
        Assert.Equal("production", r.Env["MODE"]);
        Assert.Equal(500, r.CpuMillis);
        Assert.Equal(256L << 20, r.MemoryBytes);
        Assert.Equal(1, r.Gpus);
        Assert.Equal(3, r.Replicas);
        Assert.Equal(PlacementStrategyName.Binpack, r.Strategy);
        Assert.Equal("a", r.NodeSelector!["zone"]);
        Assert.Equal(2, r.MaxSurge);
        Assert.Equal(1, r.MaxUnavailable);
        Assert.Equal(90, r.ProgressDeadlineSeconds);
        Assert.Equal(8080, Assert.Single(r.Ports!).ContainerPort);
    }

    [Fact]
    public void Fields_left_out_stay_null_so_the_server_keeps_or_defaults_them()
    {
        var d = Assert.IsType<DeploymentManifest>(Assert.Single(Read("kind: Deployment\nname: web\nimage: nginx\n")));

        Assert.Null(d.Request.Replicas);
        Assert.Null(d.Request.CpuMillis);
        Assert.Null(d.Request.Ports);
        Assert.Null(d.Request.Readiness);
        Assert.Equal(Namespaces.Default, d.Namespace);
    }

    [Theory]
    [InlineData("500m", 500)]
    [InlineData("\"0.25\"", 250)]
    [InlineData("2", 2000)]
    public void Cpu_is_cores_or_millicores(string cpu, long millis)
    {
        var d = Assert.IsType<DeploymentManifest>(Assert.Single(Read($"kind: Deployment\nname: web\nimage: nginx\ncpu: {cpu}\n")));

        Assert.Equal(millis, d.Request.CpuMillis);
    }

    [Theory]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("512M", 512_000_000L)]
    [InlineData("67108864", 64L << 20)]
    public void Memory_takes_binary_and_decimal_suffixes_or_bytes(string memory, long bytes)
    {
        var t = Assert.IsType<TaskManifest>(Assert.Single(Read($"kind: Task\nname: job\nimage: busybox\nmemory: {memory}\n")));

        Assert.Equal(bytes, t.Request.MemoryBytes);
    }

    [Fact]
    public void Ports_may_be_numbers_strings_or_mappings()
    {
        var d = Assert.IsType<DeploymentManifest>(Assert.Single(Read("""
            kind: Deployment
            name: dns
            image: coredns
            ports:
              - 8080
              - "53/udp"
              - containerPort: 9090
                hostPort: 30090
                protocol: TCP
            """)));

        Assert.Collection(d.Request.Ports!,
            p => Assert.Equal(new PortMapping { ContainerPort = 8080, HostPort = null, Protocol = "tcp" }, p),
            p => Assert.Equal(new PortMapping { ContainerPort = 53, HostPort = null, Protocol = "udp" }, p),
            p => Assert.Equal(new PortMapping { ContainerPort = 9090, HostPort = 30090, Protocol = "tcp" }, p));
    }

    [Fact]
    public void Probes_are_mappings_with_the_ProbeSpec_fields_and_defaults_for_the_rest()
    {
        var d = Assert.IsType<DeploymentManifest>(Assert.Single(Read("""
            kind: Deployment
            name: web
            image: nginx
            ports: [8080]
            readiness:
              type: http
              port: 8080
              path: /healthz
              periodSeconds: 2
              failureThreshold: 5
            liveness:
              type: exec
              command: [cat, /tmp/alive]
              initialDelaySeconds: 10
              timeoutSeconds: 3
              successThreshold: 2
            """)));

        var readiness = d.Request.Readiness!;
        Assert.Equal(ProbeType.Http, readiness.Type);
        Assert.Equal(8080, readiness.Port);
        Assert.Equal("/healthz", readiness.Path);
        Assert.Equal(2, readiness.PeriodSeconds);
        Assert.Equal(5, readiness.FailureThreshold);
        Assert.Equal(new ProbeSpec().TimeoutSeconds, readiness.TimeoutSeconds);
        Assert.Equal(new ProbeSpec().SuccessThreshold, readiness.SuccessThreshold);

        var liveness = d.Request.Liveness!;
        Assert.Equal(ProbeType.Exec, liveness.Type);
        Assert.Equal(["cat", "/tmp/alive"], liveness.Command);
        Assert.Equal(10, liveness.InitialDelaySeconds);
        Assert.Equal(3, liveness.TimeoutSeconds);
        Assert.Equal(2, liveness.SuccessThreshold);
        Assert.Equal(new ProbeSpec().PeriodSeconds, liveness.PeriodSeconds);
    }

    [Fact]
    public void A_probe_may_be_written_in_the_short_flag_form()
    {
        var d = Assert.IsType<DeploymentManifest>(Assert.Single(Read("kind: Deployment\nname: web\nimage: nginx\nports: [80]\nreadiness: tcp:80\n")));

        Assert.Equal(new ProbeSpec { Type = ProbeType.Tcp, Port = 80 }, d.Request.Readiness);
    }

    [Fact]
    public void Several_documents_are_read_in_order_and_empty_ones_are_skipped()
    {
        var manifests = Read("""
            ---
            kind: Deployment
            name: web
            image: nginx
            ---
            kind: Task
            name: migrate
            image: busybox
            command: [sh, -c, "echo migrated"]
            restartPolicy: on-failure
            maxRestarts: 3
            gpuIndices: [0, 2]
            ---
            """);

        Assert.Equal(["deployment/web", "task/migrate"], manifests.Select(m => m.Id));
        var task = Assert.IsType<TaskManifest>(manifests[1]).Request;
        Assert.Equal(RestartPolicy.OnFailure, task.RestartPolicy);
        Assert.Equal(3, task.MaxRestarts);
        Assert.Equal([0, 2], task.GpuIndices);
        Assert.Equal(["sh", "-c", "echo migrated"], task.Command);
    }

    [Fact]
    public void An_unknown_key_names_the_key_the_document_and_the_line_and_suggests_the_right_one()
    {
        var error = ErrorOf("""
            kind: Deployment
            name: web
            image: nginx
            ---
            kind: Deployment
            name: api
            image: api
            replica: 2
            """);

        Assert.Equal("app.yaml: document 2, line 8: unknown key 'replica' — did you mean 'replicas'?", error);
    }

    [Fact]
    public void A_key_of_the_other_kind_is_explained()
    {
        var error = ErrorOf("kind: Task\nname: job\nimage: busybox\nreplicas: 2\n");

        Assert.Contains("document 1", error);
        Assert.Contains("unknown key 'replicas' — it is a Deployment field", error);
    }

    [Fact]
    public void An_unknown_key_inside_a_probe_is_named_with_its_path()
    {
        var error = ErrorOf("kind: Deployment\nname: web\nimage: nginx\nports: [80]\nreadiness:\n  type: tcp\n  port: 80\n  period: 5\n");

        Assert.StartsWith("app.yaml: document 1, line 8: unknown key 'readiness.period'", error);
        Assert.Contains("periodSeconds", error);
    }

    [Theory]
    [InlineData("cpu: lots", "cpu: 'lots' is not a CPU amount")]
    [InlineData("memory: 12XB", "memory: '12XB' is not a memory amount")]
    [InlineData("replicas: three", "replicas: 'three' is not a whole number")]
    [InlineData("strategy: random", "strategy: 'random' is not a placement strategy")]
    [InlineData("ports: [http]", "ports[0]: 'http' is not a port")]
    [InlineData("command: echo", "command: must be a list")]
    [InlineData("readiness: grpc:80", "readiness: 'grpc:80' is not a probe")]
    public void A_bad_value_is_one_error_naming_the_document_and_the_field(string line, string expected)
    {
        var error = ErrorOf($"kind: Deployment\nname: web\nimage: nginx\n---\nkind: Deployment\nname: api\nimage: api\n{line}\n");

        Assert.StartsWith("app.yaml: document 2, line ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void The_api_validation_runs_before_anything_is_sent()
    {
        var error = ErrorOf("kind: Deployment\nname: web\nimage: nginx\n---\nkind: Deployment\nname: Bad_Name\n");

        Assert.StartsWith("app.yaml: document 2 (deployment/Bad_Name): ", error);
        Assert.Contains("is not a valid name", error);
        Assert.Contains("image: must not be empty", error);
    }

    [Fact]
    public void A_probe_on_a_port_that_is_not_published_is_refused()
    {
        var error = ErrorOf("kind: Deployment\nname: web\nimage: nginx\nreadiness: http:8080/\n");

        Assert.Contains("readiness.port: 8080 is not one of the published ports", error);
    }

    [Fact]
    public void The_quantity_fields_are_named_as_the_file_spells_them()
    {
        var error = ErrorOf("kind: Task\nname: job\nimage: busybox\nmemory: 1Mi\n");

        Assert.Contains("memory: must be at least 6Mi", error);
    }

    [Theory]
    [InlineData("name: web\nimage: nginx\n", "kind is required")]
    [InlineData("kind: Service\nname: web\n", "kind 'Service' is not Deployment or Task")]
    [InlineData("- just\n- a list\n", "must be a mapping")]
    public void Each_document_needs_a_known_kind(string yaml, string expected)
    {
        Assert.Contains(expected, ErrorOf(yaml));
    }

    [Fact]
    public void The_same_object_twice_is_refused()
    {
        var error = ErrorOf("kind: Task\nname: job\nimage: a\n---\nkind: Task\nname: job\nimage: b\n");

        Assert.Equal("app.yaml: document 2: task/job is already defined in app.yaml: document 1", error);
    }

    [Fact]
    public void A_deployment_and_a_task_may_share_a_name()
    {
        Assert.Equal(2, Read("kind: Task\nname: web\nimage: a\n---\nkind: Deployment\nname: web\nimage: b\n").Count);
    }

    [Fact]
    public void Broken_yaml_is_reported_with_its_line()
    {
        var error = ErrorOf("kind: Deployment\nname: web\n  image: [nginx\n");

        Assert.StartsWith("app.yaml: line ", error);
        Assert.Contains("not valid YAML", error);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        Assert.Contains("no objects", ErrorOf(""));
    }

    [Fact]
    public void The_example_of_the_cli_reference_reads()
    {
        var manifests = Read("""
            kind: Deployment
            name: web
            image: nginx:1.27
            replicas: 3
            cpu: 500m
            memory: 256Mi
            ports: [80]
            env:
              MODE: production
            readiness:
              type: http
              port: 80
              path: /
              periodSeconds: 2
            maxSurge: 1
            maxUnavailable: 0
            ---
            kind: Task
            name: migrate
            image: busybox
            command: [sh, -c, "echo migrated"]
            restartPolicy: on-failure
            maxRestarts: 3
            """);

        Assert.Equal(["deployment/web", "task/migrate"], manifests.Select(m => m.Id));
    }

    [Fact]
    public void A_port_string_may_name_the_host_port()
    {
        var t = Assert.IsType<TaskManifest>(Assert.Single(Read("kind: Task\nname: job\nimage: busybox\nports: [\"30080:8080\"]\n")));

        Assert.Equal(new PortMapping { ContainerPort = 8080, HostPort = 30080 }, Assert.Single(t.Request.Ports!));
    }

    [Fact]
    public void Ingress_settings_are_read_and_checked()
    {
        var manifest = Assert.IsType<DeploymentManifest>(Assert.Single(Read("""
            kind: Deployment
            name: shop
            image: shop:1
            ports: [8080]
            ingress:
              hosts: [shop.example.com]
              paths: [/api]
              loadBalancing: ip-hash
              weight: 90
            """)));
        var ingress = manifest.Request.Ingress!;
        Assert.Equal(["shop.example.com"], ingress.Hosts);
        Assert.Equal(["/api"], ingress.Paths);
        Assert.Equal(("ip-hash", 90), (ingress.LoadBalancing, ingress.Weight));

        var bad = Assert.Throws<CliException>(() => Read("""
            kind: Deployment
            name: shop
            image: shop:1
            ports: [8080]
            ingress: {loadBalancing: sticky-ish}
            """));
        Assert.Contains("ingress.loadBalancing", bad.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<CliException>(() => Read("""
            kind: Deployment
            name: shop
            image: shop:1
            ingress: {hostz: [a]}
            """));
        Assert.Contains("hostz", unknown.Message, StringComparison.Ordinal);
    }
}
