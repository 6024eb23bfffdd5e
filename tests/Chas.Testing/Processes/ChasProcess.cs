using System.Diagnostics;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One long-running `bin/chas` process (dev or agent) with its stdout and stderr copied, line by line,
/// into an <see cref="OutputLog"/>.
/// </summary>
internal sealed class ChasProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChasProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static ChasProcess Start(IEnumerable<string> args, string configPath, OutputLog log, string label)
    {
        var info = new ProcessStartInfo(RepoPaths.ChasExecutable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        ChildEnvironment.Apply(info, configPath);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Append($"[{label}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Append($"[{label} stderr] {e.Data}"); };
        log.Append($"[{label}] $ chas {string.Join(' ', info.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChasProcess(process);
    }

    /// <summary>SIGKILL, as a crash or a pulled plug would end it: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: false);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}

/// <summary>The environment every `chas` the tests start gets: never the developer's own configuration or server.</summary>
internal static class ChildEnvironment
{
    public static void Apply(ProcessStartInfo info, string configPath)
    {
        info.Environment["CHAS_CONFIG"] = configPath;
        info.Environment.Remove("CHAS_SERVER");
        info.Environment.Remove("CHAS_TOKEN");
        info.Environment.Remove("CHAS_NODE_TOKEN");
    }
}
