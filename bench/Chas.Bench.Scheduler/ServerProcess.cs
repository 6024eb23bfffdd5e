namespace Chas.Bench.Scheduler;

/// <summary>
/// `chas server` as an operator runs it (<see cref="ChasServerProcess"/>: its own temporary data directory, a free
/// port on 127.0.0.1) with a 6 s heartbeat timeout, counting the log lines that mean trouble.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly ChasServerProcess _process;
    private readonly TroubleCounter _trouble;

    private ServerProcess(ChasServerProcess process, TroubleCounter trouble)
    {
        _process = process;
        _trouble = trouble;
    }

    public Uri Server => _process.Url;
    public int Pid => _process.Pid;
    public string AdminToken => _process.AdminToken;
    public string NodeToken => _process.NodeToken;

    /// <summary>Log lines so far saying a node went notready, the cluster cache re-listed, or something failed.</summary>
    public (int NotReady, int Resyncs, int Errors) TroubleLines => _trouble.Lines;

    /// <summary>Starts it and waits until it answers readyz and has written its tokens; no engine is needed (hollow nodes).</summary>
    public static async Task<ServerProcess> StartAsync(string chasPath, bool echo, TimeSpan timeout)
    {
        var trouble = new TroubleCounter();
        var process = await ChasServerProcess.StartAsync(new ChasServerSettings
        {
            ImportBusybox = false,
            StartDeadline = timeout,
            TempPrefix = "chas-bench-server-",
            Process = new ChasProcessOptions { Executable = chasPath, Echo = echo, OnLine = trouble.Count },
        }, "--heartbeat-timeout", "6s");
        return new ServerProcess(process, trouble);
    }

    public string LastLines() => _process.Log.Tail();

    /// <summary>Kills the process and deletes its data directory: nothing of its state outlives the run.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private sealed class TroubleCounter
    {
        private int _notReady, _resyncs, _errors;

        public (int NotReady, int Resyncs, int Errors) Lines => (Volatile.Read(ref _notReady), Volatile.Read(ref _resyncs), Volatile.Read(ref _errors));

        public void Count(string line)
        {
            if (line.Contains("is not ready", StringComparison.Ordinal)) Interlocked.Increment(ref _notReady);
            if (line.Contains("re-listing", StringComparison.Ordinal)) Interlocked.Increment(ref _resyncs);
            if (line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal)) Interlocked.Increment(ref _errors);
        }
    }
}
