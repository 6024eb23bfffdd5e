using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Chas.Bench.Scheduler;

/// <summary>
/// `chas server` as a child process, the way an operator runs it: its own temporary data directory, a free port
/// on 127.0.0.1, the default heartbeat timeout. Keeps its last log lines and counts the ones that mean trouble.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const string UpMarker = "chas server listening";
    private const int KeptLogLines = 40;

    private readonly Process _process;
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _lastLines = new();
    private readonly bool _echo;
    private int _notReadyLines, _resyncLines, _errorLines;

    private ServerProcess(Process process, string dataDir, Uri server, bool echo)
    {
        _process = process;
        DataDir = dataDir;
        Server = server;
        _echo = echo;
    }

    public string DataDir { get; }
    public Uri Server { get; }
    public int Pid => _process.Id;
    public string AdminToken { get; private set; } = "";
    public string NodeToken { get; private set; } = "";

    /// <summary>Log lines so far saying a node went notready, the cluster cache re-listed, or something failed.</summary>
    public (int NotReady, int Resyncs, int Errors) TroubleLines => (Volatile.Read(ref _notReadyLines), Volatile.Read(ref _resyncLines), Volatile.Read(ref _errorLines));

    public static ServerProcess Start(string chasPath, bool echo)
    {
        var dataDir = Directory.CreateTempSubdirectory("chas-bench-server-").FullName;
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(chasPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "server", "--data-dir", dataDir, "--listen", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--heartbeat-timeout", "6s" })
            start.ArgumentList.Add(arg);

        var process = new Process { StartInfo = start };
        var server = new ServerProcess(process, dataDir, new Uri($"http://127.0.0.1:{port}/"), echo);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until the server announces its API and its store answers, then reads the tokens it wrote.</summary>
    public async Task WaitUntilUpAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            var exited = _process.WaitForExitAsync(deadline.Token);
            if (await Task.WhenAny(_up.Task, exited) == exited)
            {
                await exited;
                throw new InvalidOperationException($"chas server exited with code {_process.ExitCode}; its last lines:\n{LastLines()}");
            }
            // The server writes its tokens when its authentication first runs, not at start: one request does it.
            using (var http = new HttpClient { BaseAddress = Server })
                (await http.GetAsync("readyz", deadline.Token)).EnsureSuccessStatusCode();
            AdminToken = (await File.ReadAllTextAsync(Path.Combine(DataDir, "admin-token"), deadline.Token)).Trim();
            NodeToken = (await File.ReadAllTextAsync(Path.Combine(DataDir, "node-token"), deadline.Token)).Trim();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"chas server was not up within {timeout.TotalSeconds:0}s; its last lines:\n{LastLines()}");
        }
    }

    public string LastLines()
    {
        lock (_lastLines) return string.Join('\n', _lastLines);
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > KeptLogLines) _lastLines.Dequeue();
        }
        if (line.Contains("is not ready", StringComparison.Ordinal)) Interlocked.Increment(ref _notReadyLines);
        if (line.Contains("re-listing", StringComparison.Ordinal)) Interlocked.Increment(ref _resyncLines);
        if (line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal)) Interlocked.Increment(ref _errorLines);
        if (_echo) Console.Error.WriteLine($"  [chas server] {line}");
        if (line.Contains(UpMarker, StringComparison.Ordinal)) _up.TrySetResult();
    }

    /// <summary>Kills the process and deletes its data directory: nothing of its state outlives the run.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort; it lives under the temp directory.
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
