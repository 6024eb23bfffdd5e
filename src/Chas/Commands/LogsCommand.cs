using System.CommandLine;
using Chas.Cli;

namespace Chas.Commands;

internal static class LogsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Task name" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until the task ends" };
        var tail = new Option<int?>("--tail", "-n") { Description = "Only the last N lines" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Prefix each line with its time" };
        // -n is --tail here (docker's habit, older than namespaces): the namespace is --namespace only.
        var ns = NamespaceOption.CreateLongOnly();
        var cmd = new Command("logs", "Print a task's output (through the server; no node access needed)") { name, follow, tail, timestamps, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            if (parse.GetValue(tail) is < 0) throw new CliException("--tail must not be negative");
            var task = await TaskCommands.GetWithSuggestionAsync(client, parse.GetValue(name)!, token);
            await foreach (var line in client.ReadTaskLogsAsync(task.Name, parse.GetValue(follow), parse.GetValue(tail), parse.GetValue(timestamps), task.Namespace, token))
                Console.Out.WriteLine(line);
            return 0;
        }, ct));
        return cmd;
    }
}
