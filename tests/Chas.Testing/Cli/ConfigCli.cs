using System.Diagnostics;
using System.Text;

namespace Chas.Testing.Cli;

/// <summary>
/// `bin/chas` as a person at their own terminal: only their configuration file (what `chas login`
/// wrote) unless a server and token are given, and optionally something typed on stdin (a password).
/// </summary>
public sealed class ConfigCli(string configPath, Uri? server = null, string? token = null)
{
    public string ConfigPath { get; } = configPath;

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    public async Task<CliResult> RunWithInputAsync(string? stdin, params string[] args)
    {
        var info = CliStart.For(args, ConfigPath, server, token);

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bin/chas");
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(ChasCli.DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`chas {string.Join(' ', args)}` did not exit in time");
        }
        return new CliResult(args, process.ExitCode, await stdout, await stderr);
    }
}
