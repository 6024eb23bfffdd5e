using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Chas.Runtime;

namespace Chas.Agent.Tests;

/// <summary>An engine in memory: containers are records, "running" until a test or a stop ends them.</summary>
public sealed class FakeContainerRuntime : IContainerRuntime
{
    private readonly ConcurrentDictionary<string, FakeContainer> _containers = new();
    private int _next;

    public ConcurrentQueue<string> Calls { get; } = new();
    public HashSet<string> MissingImages { get; } = [];

    public sealed class FakeContainer
    {
        public required ContainerInfo Info { get; set; }
        public required ContainerSpec? Spec { get; init; }
        public TaskCompletionSource<ContainerExit> Exit { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Starts { get; set; }
    }

    public IReadOnlyCollection<FakeContainer> Containers => _containers.Values.ToList();

    /// <summary>Puts a container in place as if an earlier agent had created it.</summary>
    public string AddRunning(string name, IReadOnlyDictionary<string, string> labels)
    {
        var id = $"pre{Interlocked.Increment(ref _next)}";
        _containers[id] = new FakeContainer { Info = new ContainerInfo { Id = id, Name = name, Labels = labels, State = ContainerState.Running, StartedAt = DateTimeOffset.UtcNow }, Spec = null };
        return id;
    }

    public void ExitContainer(string id, int code)
    {
        var c = _containers[id];
        c.Info = c.Info with { State = ContainerState.Exited, ExitCode = code, FinishedAt = DateTimeOffset.UtcNow };
        c.Exit.TrySetResult(new ContainerExit(code, false, null));
    }

    public Task<RuntimeInfo> GetInfoAsync(CancellationToken cancellationToken) => Task.FromResult(new RuntimeInfo("fake", "1", 4, 8L << 30));

    public Task<RuntimeCapabilities> GetCapabilitiesAsync(CancellationToken cancellationToken) => Task.FromResult(new RuntimeCapabilities
    {
        Exec = true,
        InteractiveExec = true,
        Stats = true,
        MountTypes = new HashSet<MountType> { MountType.Bind, MountType.Volume, MountType.Tmpfs },
        NetworkModes = new HashSet<NetworkMode> { NetworkMode.Bridge, NetworkMode.Host, NetworkMode.None, NetworkMode.Named },
        ReadOnlyRootFilesystem = true,
        Privileged = true,
    });

    public Task EnsureImageAsync(string image, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"ensure {image}");
        return MissingImages.Contains(image)
            ? Task.FromException(new RuntimeException($"image '{image}' is not present on this node and could not be pulled"))
            : Task.CompletedTask;
    }

    public Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        var id = $"c{Interlocked.Increment(ref _next)}";
        Calls.Enqueue($"create {spec.Name}");
        _containers[id] = new FakeContainer { Info = new ContainerInfo { Id = id, Name = spec.Name, Labels = spec.Labels, State = ContainerState.Created }, Spec = spec };
        return Task.FromResult(id);
    }

    public Task StartAsync(string containerId, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"start {containerId}");
        var c = _containers[containerId];
        // A restart in place: a fresh run with its own exit.
        if (c.Exit.Task.IsCompleted) c.Exit = new TaskCompletionSource<ContainerExit>(TaskCreationOptions.RunContinuationsAsynchronously);
        c.Starts++;
        c.Info = c.Info with { State = ContainerState.Running, StartedAt = DateTimeOffset.UtcNow };
        return Task.CompletedTask;
    }

    public Task<ContainerExit> WaitAsync(string containerId, CancellationToken cancellationToken) =>
        _containers[containerId].Exit.Task.WaitAsync(cancellationToken);

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"stop {containerId}");
        if (_containers.TryGetValue(containerId, out var c) && c.Info.State == ContainerState.Running) ExitContainer(containerId, 143);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string containerId, bool force, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"remove {containerId}");
        if (_containers.TryRemove(containerId, out var c)) c.Exit.TrySetResult(new ContainerExit(137, false, null));
        return Task.CompletedTask;
    }

    public Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken) =>
        Task.FromResult(_containers.TryGetValue(containerId, out var c) ? c.Info : null);

    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ContainerInfo>>(_containers.Values.Select(c => c.Info)
            .Where(i => labels.All(l => i.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList());

    public Func<IReadOnlyList<string>, ExecResult> OnExec { get; set; } = _ => new ExecResult(0, "", false);

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"exec {containerId} {string.Join(' ', command)}");
        return Task.FromResult(OnExec(command));
    }

    /// <summary>What <see cref="GetStatsAsync"/> answers for a running container (null: zeroed counters read now).</summary>
    public Func<string, ContainerStats?>? OnStats { get; set; }

    public Task<ContainerStats?> GetStatsAsync(string containerId, CancellationToken cancellationToken) =>
        Task.FromResult(_containers.TryGetValue(containerId, out var c) && c.Info.State == ContainerState.Running
            ? OnStats?.Invoke(containerId) ?? new ContainerStats { ReadAt = DateTimeOffset.UtcNow }
            : null);

    /// <summary>An attached exec echoes its input to stdout (like `cat`) and exits 0 at end of input.</summary>
    public Task<IExecSession> StartExecAsync(string containerId, ExecRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"exec-attached {containerId} {string.Join(' ', request.Command)}");
        return Task.FromResult<IExecSession>(new EchoExecSession());
    }

    public Task<ContainerNetwork?> GetNetworkAsync(string containerId, CancellationToken cancellationToken) =>
        Task.FromResult(_containers.ContainsKey(containerId) ? new ContainerNetwork("127.0.0.1", []) : null);

    private sealed class EchoExecSession : IExecSession
    {
        private readonly System.Threading.Channels.Channel<byte[]> _input = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();

        public async Task<ExecOutput> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
        {
            if (!await _input.Reader.WaitToReadAsync(cancellationToken)) return new ExecOutput(LogStream.Stdout, 0);
            var chunk = await _input.Reader.ReadAsync(cancellationToken);
            chunk.CopyTo(buffer, 0);
            return new ExecOutput(LogStream.Stdout, chunk.Length);
        }

        public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) => _input.Writer.WriteAsync(input.ToArray(), cancellationToken).AsTask();
        public Task CloseInputAsync(CancellationToken cancellationToken) => Task.FromResult(_input.Writer.TryComplete());
        public Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<int> WaitForExitCodeAsync(CancellationToken cancellationToken) => Task.FromResult(0);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string containerId, LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield return new LogLine(LogStream.Stdout, DateTimeOffset.UtcNow, $"log of {containerId}");
    }
}
