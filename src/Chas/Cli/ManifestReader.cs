using System.Globalization;
using Chas.Contracts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Chas.Cli;

/// <summary>
/// Reads the YAML files of `chas apply`: one object per document (`---` between documents), each
/// with `kind: Deployment` or `kind: Task` and the API's fields in camelCase, with human quantities
/// (`cpu: 500m`, `memory: 256Mi`). Everything is parsed and validated before anything is returned,
/// so a file with one bad document applies nothing.
/// </summary>
internal static class ManifestReader
{
    private static readonly string[] CommonKeys =
        ["kind", "name", "namespace", "image", "command", "env", "cpu", "memory", "gpus", "ports", "strategy", "nodeSelector"];
    private static readonly HashSet<string> DeploymentKeys =
        [.. CommonKeys, "mode", "replicas", "maxSurge", "maxUnavailable", "progressDeadlineSeconds", "readiness", "liveness", "ingress"];
    private static readonly HashSet<string> TaskKeys = [.. CommonKeys, "restartPolicy", "maxRestarts", "gpuIndices"];
    private static readonly HashSet<string> ProbeKeys =
        ["type", "port", "path", "command", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold", "initialDelaySeconds"];
    private static readonly HashSet<string> PortKeys = ["containerPort", "hostPort", "protocol"];
    private static readonly HashSet<string> IngressKeys = ["hosts", "paths", "loadBalancing", "weight", "port"];

    /// <summary>All objects of one file (or stdin), in order; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<Manifest> Read(TextReader text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(text);
        }
        catch (YamlException ex)
        {
            throw new CliException($"{source}: line {ex.Start.Line}: not valid YAML: {(ex.InnerException ?? ex).Message.Split(": ", 2)[^1]}");
        }

        var manifests = new List<Manifest>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            if (YamlFields.IsNull(root)) continue; // an empty document, e.g. after a trailing `---`
            manifests.Add(ReadDocument(root, source, i + 1));
        }
        if (manifests.Count == 0) throw new CliException($"{source}: no objects in it (each document needs kind: Deployment or kind: Task)");
        RejectDuplicates(manifests);
        return manifests;
    }

    /// <summary>The same object twice in what is applied together is a mistake, not an update.</summary>
    public static void RejectDuplicates(IEnumerable<Manifest> manifests)
    {
        var seen = new Dictionary<(string, string, string), Manifest>();
        foreach (var m in manifests)
        {
            if (seen.TryGetValue((m.Kind, m.Namespace, m.Name), out var first))
                throw new CliException($"{m.Where}: {m.Id} is already defined in {first.Where}");
            seen[(m.Kind, m.Namespace, m.Name)] = m;
        }
    }

    private static Manifest ReadDocument(YamlNode root, string source, int document)
    {
        var where = $"{source}: document {document}";
        if (root is not YamlMappingNode map) throw new CliException($"{where}, line {root.Start.Line}: must be a mapping of fields (kind, name, image, …)");

        var kindNode = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "kind" }).Value;
        var kind = (kindNode as YamlScalarNode)?.Value?.Trim().ToLowerInvariant();
        Manifest manifest = kind switch
        {
            "deployment" => new DeploymentManifest(source, document, ReadDeployment(new YamlFields(map, where, "", DeploymentKeys, key => Elsewhere(key, "Task", TaskKeys)))),
            "task" => new TaskManifest(source, document, ReadTask(new YamlFields(map, where, "", TaskKeys, key => Elsewhere(key, "Deployment", DeploymentKeys)))),
            null or "" => throw new CliException($"{where}, line {map.Start.Line}: kind is required (Deployment or Task)"),
            _ => throw new CliException($"{where}, line {kindNode!.Start.Line}: kind '{(kindNode as YamlScalarNode)?.Value}' is not Deployment or Task"),
        };

        var errors = manifest switch
        {
            DeploymentManifest d => Validate.Deployment(d.Request),
            TaskManifest t => Validate.Task(t.Request),
            _ => new ValidationErrors(),
        };
        if (!errors.IsEmpty)
        {
            var described = string.Join("; ", errors.ToDictionary().Select(e => $"{FieldName(e.Key)}: {string.Join(", ", e.Value)}"));
            throw new CliException($"{where} ({manifest.Id}): {described}");
        }
        return manifest;
    }

    private static string? Elsewhere(string key, string otherKind, HashSet<string> otherKeys) =>
        otherKeys.Contains(key) ? $"it is a {otherKind} field" : null;

    /// <summary>The API's names for the quantities, as the file spells them.</summary>
    private static string FieldName(string apiField) => apiField switch
    {
        "cpuMillis" => "cpu",
        "memoryBytes" => "memory",
        _ => apiField,
    };

    private static ApplyDeploymentRequest ReadDeployment(YamlFields f)
    {
        var ports = Ports(f);
        return new ApplyDeploymentRequest
        {
            Name = f.String("name"),
            Namespace = f.String("namespace"),
            Image = f.String("image"),
            Command = f.StringList("command"),
            Env = f.StringMap("env"),
            CpuMillis = Cpu(f),
            MemoryBytes = Memory(f),
            Gpus = f.Int("gpus"),
            Ports = ports,
            NodeSelector = f.StringMap("nodeSelector"),
            Strategy = Strategy(f),
            Mode = f.String("mode") is { } mode ? Wrap(f, "mode", () => WorkloadFlags.Mode(mode, "mode")) : null,
            Replicas = f.Int("replicas"),
            MaxSurge = f.Int("maxSurge"),
            MaxUnavailable = f.Int("maxUnavailable"),
            ProgressDeadlineSeconds = f.Number("progressDeadlineSeconds"),
            Readiness = Probe(f, "readiness"),
            Liveness = Probe(f, "liveness"),
            Ingress = Ingress(f),
        };
    }

    /// <summary>`ingress: {hosts: [shop.example.com], paths: [/api], loadBalancing: ip-hash, weight: 90, port: 8080}`.</summary>
    private static IngressSpec? Ingress(YamlFields f)
    {
        if (f.Node("ingress") is not { } node) return null;
        if (node is not YamlMappingNode map) throw f.Error(node, "ingress: must be a mapping (hosts, paths, loadBalancing, weight, port)");
        var i = new YamlFields(map, f.Location, "ingress.", IngressKeys);
        var defaults = new IngressSpec();
        return new IngressSpec
        {
            Hosts = i.StringList("hosts") ?? [],
            Paths = i.StringList("paths") ?? [],
            LoadBalancing = i.String("loadBalancing")?.Trim().ToLowerInvariant() ?? defaults.LoadBalancing,
            Weight = i.Int("weight") ?? defaults.Weight,
            Port = i.Int("port"),
        };
    }

    private static CreateTaskRequest ReadTask(YamlFields f) => new()
    {
        Name = f.String("name"),
        Namespace = f.String("namespace"),
        Image = f.String("image"),
        Command = f.StringList("command"),
        Env = f.StringMap("env"),
        CpuMillis = Cpu(f),
        MemoryBytes = Memory(f),
        Gpus = f.Int("gpus"),
        GpuIndices = GpuIndices(f),
        Ports = Ports(f),
        NodeSelector = f.StringMap("nodeSelector"),
        Strategy = Strategy(f),
        RestartPolicy = f.String("restartPolicy") is { } restart ? Wrap(f, "restartPolicy", () => WorkloadFlags.Restart(restart, "restartPolicy")) : null,
        MaxRestarts = f.Int("maxRestarts"),
    };

    private static long? Cpu(YamlFields f) =>
        f.String("cpu") is { } text
            ? Quantity.TryParseCpuMillis(text, out var millis) ? millis : throw f.Error(f.Node("cpu")!, $"cpu: '{text}' is not a CPU amount (use 0.5 or 500m)")
            : null;

    private static long? Memory(YamlFields f) =>
        f.String("memory") is { } text
            ? Quantity.TryParseMemory(text, out var bytes) ? bytes : throw f.Error(f.Node("memory")!, $"memory: '{text}' is not a memory amount (use 256Mi or 1Gi)")
            : null;

    private static PlacementStrategyName? Strategy(YamlFields f) =>
        f.String("strategy") is { } text ? Wrap(f, "strategy", () => WorkloadFlags.Strategy(text, "strategy")) : null;

    private static List<int>? GpuIndices(YamlFields f)
    {
        if (f.Sequence("gpuIndices") is not { } list) return null;
        return list.Children.Select((item, i) =>
            item is YamlScalarNode { Value: { } v } && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? index : throw f.Error(item, $"gpuIndices[{i}]: must be a GPU index (0, 1, …)")).ToList();
    }

    /// <summary>`ports: [8080, "53/udp"]` or `ports: [{containerPort: 8080, hostPort: 30080, protocol: tcp}]`.</summary>
    private static List<PortMapping>? Ports(YamlFields f)
    {
        if (f.Sequence("ports") is not { } list) return null;
        var ports = new List<PortMapping>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            switch (item)
            {
                case YamlScalarNode { Value: { } text }:
                    ports.Add(Quantity.TryParsePort(text, out var mapping) ? mapping
                        : throw f.Error(item, $"ports[{i}]: '{text}' is not a port (use 8080, \"8080/udp\" or {{containerPort: 8080, hostPort: 30080}})"));
                    break;
                case YamlMappingNode map:
                    var p = new YamlFields(map, f.Location, $"ports[{i}].", PortKeys);
                    ports.Add(new PortMapping
                    {
                        ContainerPort = p.Int("containerPort") ?? throw f.Error(item, $"ports[{i}].containerPort: is required"),
                        HostPort = p.Int("hostPort"),
                        Protocol = p.String("protocol")?.ToLowerInvariant() ?? "tcp",
                    });
                    break;
                default:
                    throw f.Error(item, $"ports[{i}]: must be a port number or a mapping with containerPort");
            }
        }
        return ports;
    }

    /// <summary>A mapping with the <see cref="ProbeSpec"/> fields, or the flags' short form as a string (`http:8080/healthz`).</summary>
    private static ProbeSpec? Probe(YamlFields f, string key)
    {
        if (f.Node(key) is not { } node) return null;
        if (node is YamlScalarNode { Value: { } text }) return Wrap(f, key, () => ProbeFlags.Parse(text, key));
        if (node is not YamlMappingNode map) throw f.Error(node, $"{key}: must be a mapping (type, port, path, …) or a string like http:8080/healthz");

        var p = new YamlFields(map, f.Location, $"{key}.", ProbeKeys);
        var defaults = new ProbeSpec();
        var type = p.String("type")?.Trim().ToLowerInvariant() switch
        {
            "http" => ProbeType.Http,
            "tcp" => ProbeType.Tcp,
            "exec" => ProbeType.Exec,
            null => throw f.Error(node, $"{key}.type: is required (http, tcp or exec)"),
            var other => throw p.Error(p.Node("type")!, $"{key}.type: '{other}' is not http, tcp or exec"),
        };
        return new ProbeSpec
        {
            Type = type,
            Port = p.Int("port"),
            Path = p.String("path"),
            Command = p.StringList("command", ProbeFlags.SplitCommand),
            PeriodSeconds = p.Number("periodSeconds") ?? defaults.PeriodSeconds,
            TimeoutSeconds = p.Number("timeoutSeconds") ?? defaults.TimeoutSeconds,
            FailureThreshold = p.Int("failureThreshold") ?? defaults.FailureThreshold,
            SuccessThreshold = p.Int("successThreshold") ?? defaults.SuccessThreshold,
            InitialDelaySeconds = p.Number("initialDelaySeconds") ?? defaults.InitialDelaySeconds,
        };
    }

    /// <summary>Re-raises a flag parser's error with the document and line in front.</summary>
    private static T Wrap<T>(YamlFields f, string key, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (CliException ex)
        {
            throw f.Error(f.Node(key)!, ex.Message);
        }
    }
}
