using System.Diagnostics;
using System.Text;

namespace Chas.Testing.Cli;

/// <summary>What one `chas` command did.</summary>
public sealed record CliResult(IReadOnlyList<string> Args, int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> StdoutLines => Lines(Stdout);
    public IReadOnlyList<string> StderrLines => Lines(Stderr);

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    public override string ToString() =>
        $"$ chas {string.Join(' ', Args)}\nexit code: {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// Runs CLI verbs of `bin/chas` against one server, as a user with CHAS_SERVER and CHAS_TOKEN set
/// would; CHAS_CONFIG points into the test's temp directory so no real configuration is touched.
/// </summary>
public sealed class ChasCli(Uri server, string token, string configPath)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, DefaultTimeout);

    /// <param name="onStdoutLine">Called with each complete stdout line as it arrives (to observe streaming).</param>
    public async Task<CliResult> RunAsync(IReadOnlyList<string> args, TimeSpan timeout, Action<string>? onStdoutLine = null)
    {
        var info = CliStart.For(args, configPath, server, token);

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bin/chas");
        process.StandardInput.Close();
        var stdout = ReadAllAsync(process.StandardOutput, onStdoutLine);
        var stderr = ReadAllAsync(process.StandardError, null);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"`chas {string.Join(' ', args)}` did not exit within {timeout.TotalSeconds:0.#} s\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }
        return new CliResult(args, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>`chas ps -a -o json`, parsed.</summary>
    public async Task<IReadOnlyList<CliTask>> ListAllTasksAsync()
    {
        var result = await RunAsync("ps", "-a", "-o", "json");
        if (result.ExitCode != 0) throw new InvalidOperationException($"chas ps failed\n{result}");
        return CliJson.Parse<List<CliTask>>(result);
    }

    /// <summary>`chas ps -a --deployment NAME -o json`, parsed: the deployment's instances, ended ones included.</summary>
    public async Task<IReadOnlyList<CliTask>> ListInstancesAsync(string deployment)
    {
        var result = await RunAsync("ps", "-a", "--deployment", deployment, "-o", "json");
        if (result.ExitCode != 0) throw new InvalidOperationException($"chas ps failed\n{result}");
        return CliJson.Parse<List<CliTask>>(result);
    }

    /// <summary>`chas deployments -o json`, parsed.</summary>
    public async Task<IReadOnlyList<CliDeployment>> ListDeploymentsAsync()
    {
        var result = await RunAsync("deployments", "-o", "json");
        if (result.ExitCode != 0) throw new InvalidOperationException($"chas deployments failed\n{result}");
        return CliJson.Parse<List<CliDeployment>>(result);
    }

    /// <summary>`chas nodes -o json`, parsed.</summary>
    public async Task<IReadOnlyList<CliNode>> ListNodesAsync()
    {
        var result = await RunAsync("nodes", "-o", "json");
        if (result.ExitCode != 0) throw new InvalidOperationException($"chas nodes failed\n{result}");
        return CliJson.Parse<List<CliNode>>(result);
    }

    /// <summary>Copies the stream exactly (final newline included) while handing out complete lines as they come.</summary>
    private static async Task<string> ReadAllAsync(StreamReader reader, Action<string>? onLine)
    {
        var all = new StringBuilder();
        var line = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            all.Append(buffer, 0, read);
            if (onLine is null) continue;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    onLine(line.ToString());
                    line.Clear();
                }
                else
                {
                    line.Append(buffer[i]);
                }
            }
        }
        return all.ToString();
    }
}

/// <summary>How every test starts `bin/chas` for a CLI verb: all streams redirected, UTF-8, the test's own config.</summary>
public static class CliStart
{
    public static ProcessStartInfo For(IEnumerable<string> args, string configPath, Uri? server, string? token)
    {
        var info = new ProcessStartInfo(RepoPaths.ChasExecutable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = RepoPaths.Root,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        ChildEnvironment.Apply(info, configPath);
        if (server is not null) info.Environment["CHAS_SERVER"] = server.ToString();
        if (token is not null) info.Environment["CHAS_TOKEN"] = token;
        return info;
    }
}
