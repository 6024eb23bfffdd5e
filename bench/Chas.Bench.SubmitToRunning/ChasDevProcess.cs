using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Bench.SubmitToRunning;

/// <summary>
/// `chas dev` as a child process, the way a user runs it: its own temporary data directory, a free API port,
/// no CLI configuration, a node name unique to this run and a port range apart from the default one.
/// </summary>
internal sealed class ChasDevProcess : IAsyncDisposable
{
    private const string UpMarker = "chas dev is up";
    private const int KeptLogLines = 60;

    private readonly Process _process;
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _lastLines = new();
    private readonly bool _echo;

    private ChasDevProcess(Process process, string dataDir, Uri server, string nodeName, bool echo)
    {
        _process = process;
        DataDir = dataDir;
        Server = server;
        NodeName = nodeName;
        _echo = echo;
    }

    public string DataDir { get; }
    public Uri Server { get; }
    public string NodeName { get; }

    public static ChasDevProcess Start(string chasPath, string nodeName, bool echo)
    {
        var dataDir = Directory.CreateTempSubdirectory("chas-bench-").FullName;
        var port = FreeLoopbackPort();
        var start = new ProcessStartInfo(chasPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "dev", "--data-dir", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture), "--no-config", "--ingress-port", "0",
            "--node-name", nodeName, "--port-range", "32000-32999",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var dev = new ChasDevProcess(process, dataDir, new Uri($"http://127.0.0.1:{port}/"), nodeName, echo);
        process.OutputDataReceived += (_, e) => dev.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => dev.OnLine(e.Data);
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
        return dev;
    }

    /// <summary>
    /// Waits for the process to announce its API, then for its built-in node to be ready (registered and
    /// heartbeating), watching the nodes rather than polling them. Returns an admin client.
    /// </summary>
    public async Task<ChasClient> WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            // WaitForExitAsync also waits until the output is read to its end, so the last lines are complete.
            var exited = _process.WaitForExitAsync(deadline.Token);
            if (await Task.WhenAny(_up.Task, exited) == exited)
            {
                await exited;
                throw new InvalidOperationException($"chas dev exited with code {_process.ExitCode} before it was ready; its last lines:\n{LastLines()}");
            }
            var token = (await File.ReadAllTextAsync(Path.Combine(DataDir, "admin-token"), deadline.Token)).Trim();
            var client = new ChasClient(Server, token);
            try
            {
                await WaitForNodeReadyAsync(client, deadline.Token);
                return client;
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"chas dev was not ready within {timeout.TotalSeconds:0}s; its last lines:\n{LastLines()}");
        }
    }

    private async Task WaitForNodeReadyAsync(ChasClient client, CancellationToken ct)
    {
        var nodes = await client.ListNodesAsync(ct);
        if (nodes.Items.Any(IsReady)) return;
        await foreach (var ev in client.WatchNodesAsync(nodes.Revision, ct))
        {
            if (ev.Object is { } node && IsReady(node)) return;
        }
        throw new InvalidOperationException("the node watch ended before the node became ready");
    }

    private bool IsReady(NodeResource node) => node.Name == NodeName && node.Status == NodeStatus.Ready;

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
        if (_echo) Console.Error.WriteLine($"  [chas dev] {line}");
        if (line.Contains(UpMarker, StringComparison.Ordinal)) _up.TrySetResult();
    }

    /// <summary>
    /// Kills the process and deletes its data directory. No graceful stop is needed: nothing of its state
    /// outlives the run, and the containers its agent leaves behind are removed by label afterwards.
    /// </summary>
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
