using System.CommandLine;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using Chas.Cli;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas exec`: a command in a task's container, through the server, with the command's exit code as ours.</summary>
internal static class ExecCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Task name, or a deployment's (its first ready instance)" };
        var command = new Argument<string[]>("command") { Description = "Command and arguments, after --", Arity = ArgumentArity.OneOrMore };
        var interactive = new Option<bool>("--stdin", "-i") { Description = "Pass stdin to the command" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Give the command a terminal (with -i on a terminal: raw mode, resized with yours)" };
        var ns = NamespaceOption.Create();
        var cmd = new Command("exec", "Run a command in a running task's container (through the server)") { name, command, interactive, tty, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var task = await ResolveRunningTaskAsync(client, parse.GetValue(name)!, token);
            var withStdin = parse.GetValue(interactive);
            var withTty = parse.GetValue(tty);
            await using var exec = await client.StartExecAsync(task.Name, parse.GetValue(command)!, withTty, withStdin, task.Namespace, token);
            // Raw mode only where keystrokes come from a terminal: the container's terminal does the echo and line editing.
            using var raw = withTty && withStdin && !Console.IsInputRedirected ? RawTerminal.TryEnter() : null;
            using var resizes = withTty && !Console.IsOutputRedirected ? FollowTerminalSize(exec, token) : null;
            if (withStdin) _ = CopyStdinAsync(exec, token);
            await using var stdout = Console.OpenStandardOutput();
            await using var stderr = Console.OpenStandardError();
            return await exec.CopyOutputAsync(stdout, stderr, token);
        }, ct));
        return cmd;
    }

    /// <summary>
    /// The task named, or for a deployment its first ready instance (by name), as `kubectl exec deploy/x` does;
    /// either must be running.
    /// </summary>
    public static async Task<TaskResource> ResolveRunningTaskAsync(ChasClient client, string name, CancellationToken ct)
    {
        TaskResource task;
        try
        {
            task = await client.GetTaskAsync(name, ct: ct);
        }
        catch (ChasApiException ex) when (ChasClient.IsNotFound(ex))
        {
            try
            {
                await client.GetDeploymentAsync(name, ct: ct);
            }
            catch (ChasApiException notDeployment) when (ChasClient.IsNotFound(notDeployment))
            {
                return await TaskCommands.GetWithSuggestionAsync(client, name, ct); // throws, with the closest task name
            }
            var instances = (await client.ListTasksAsync(ct: ct)).Items.Where(t => t.Deployment == name);
            return instances.Where(t => t.Status == TaskPhase.Running && t.Ready).OrderBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault()
                ?? throw new CliException($"deployment '{name}' has no ready instance");
        }
        if (task.Status != TaskPhase.Running)
            throw new CliException($"task '{name}' is not running (it is {task.Status.ToWire()})");
        return task;
    }

    private static async Task CopyStdinAsync(ExecConnection exec, CancellationToken ct)
    {
        try
        {
            await using var stdin = Console.OpenStandardInput();
            var buffer = new byte[16 * 1024];
            int read;
            // A blocked read of a terminal cannot be cancelled; it is left behind when the command ends and we exit.
            while ((read = await Task.Run(() => stdin.ReadAsync(buffer, ct).AsTask(), ct)) > 0)
                await exec.WriteInputAsync(buffer.AsMemory(0, read), ct);
            await exec.CloseInputAsync(ct);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            // The command ended or the connection broke: the output side reports it.
        }
    }

    /// <summary>Sends the terminal's size now and whenever it changes (SIGWINCH).</summary>
    private static PosixSignalRegistration? FollowTerminalSize(ExecConnection exec, CancellationToken ct)
    {
        void Send() => _ = SendSizeAsync(exec, ct);
        Send();
        // Elsewhere than Linux and macOS the size stays what it was at the start.
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return null;
        return PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            Send();
        });
    }

    private static async Task SendSizeAsync(ExecConnection exec, CancellationToken ct)
    {
        try
        {
            if (Console.WindowWidth > 0 && Console.WindowHeight > 0)
                await exec.ResizeAsync(Console.WindowWidth, Console.WindowHeight, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            // A resize racing the end of the session does not matter.
        }
    }

    /// <summary>The local terminal in raw mode (`stty raw -echo`) until disposed, then as it was (`stty -g`).</summary>
    private sealed class RawTerminal : IDisposable
    {
        private const string Stty = "/bin/stty";
        private readonly string _saved;

        private RawTerminal(string saved) => _saved = saved;

        public static RawTerminal? TryEnter()
        {
            if (!File.Exists(Stty)) return null;
            var saved = Run("-g");
            if (saved is null || Run("raw", "-echo") is null) return null;
            // Restored on every way out: normal end, Ctrl-C (cancellation), an exception, and process exit.
            var terminal = new RawTerminal(saved.Trim());
            AppDomain.CurrentDomain.ProcessExit += (_, _) => terminal.Dispose();
            return terminal;
        }

        private int _restored;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _restored, 1) == 0) Run(_saved);
        }

        /// <summary>Runs stty on our own terminal (its stdin is ours); its output, or null when it failed.</summary>
        private static string? Run(params string[] args)
        {
            var info = new ProcessStartInfo(Stty) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args) info.ArgumentList.Add(arg);
            using var process = Process.Start(info);
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
    }
}
