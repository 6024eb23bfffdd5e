using System.CommandLine;
using Chas.Cli;

namespace Chas.Commands;

/// <summary>`chas config`: the CLI's contexts (server, credentials, default namespace), as kubectl config does.</summary>
internal static class ConfigCommands
{
    public static Command Create()
    {
        var cmd = new Command("config", "Show and switch the CLI's contexts (which server, as whom, in which namespace)")
        {
            GetContexts(), CurrentContext(), UseContext(), SetContext(), DeleteContext(),
        };
        return cmd;
    }

    private static Command GetContexts()
    {
        var cmd = new Command("get-contexts", "List the contexts; * marks the current one");
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(_ =>
        {
            var config = CliConfig.Load(CliConfig.DefaultPath());
            TableWriter.Write(Console.Out, ["CURRENT", "NAME", "SERVER", "USER", "NAMESPACE"],
                config.Contexts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (IReadOnlyList<string>)
                [
                    c.Key == config.CurrentContext ? "*" : "", c.Key, c.Value.Server, c.Value.User ?? (c.Value.Token is null ? "-" : "(token)"),
                    c.Value.Namespace ?? "-",
                ]));
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static Command CurrentContext()
    {
        var cmd = new Command("current-context", "Print the current context's name");
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(_ =>
        {
            var current = CliConfig.Load(CliConfig.DefaultPath()).CurrentContext
                ?? throw new CliException("no current context: sign in with `chas login` or start `chas dev`");
            Console.Out.WriteLine(current);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static Command UseContext()
    {
        var name = new Argument<string>("name") { Description = "Context to make current" };
        var cmd = new Command("use-context", "Make a context the current one") { name };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(_ =>
        {
            var path = CliConfig.DefaultPath();
            var config = CliConfig.Load(path);
            var wanted = parse.GetValue(name)!;
            if (!config.Contexts.ContainsKey(wanted))
                throw new CliException(Suggestions.NotFound("context", wanted, config.Contexts.Keys));
            (config with { CurrentContext = wanted }).Save(path);
            Console.Out.WriteLine($"switched to context \"{wanted}\"");
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static Command SetContext()
    {
        var name = new Argument<string?>("name") { Description = "Context to change (default: the current one)", Arity = ArgumentArity.ZeroOrOne };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Namespace verbs use when given none" };
        var server = new Option<string?>("--server") { Description = "The server's URL; several of one cluster separated by commas" };
        var cmd = new Command("set-context", "Change a context's default namespace or server (creates it with --server)") { name, ns, server };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(_ =>
        {
            var path = CliConfig.DefaultPath();
            var config = CliConfig.Load(path);
            var target = parse.GetValue(name) ?? config.CurrentContext ?? throw new CliException("no current context; name one");
            if (parse.GetValue(ns) is { } n && !Contracts.Validate.IsDns1123Label(n)) throw new CliException($"--namespace: '{n}' is not a namespace name");
            if (parse.GetValue(server) is { } given) Connection.ParseServers(given); // refused now, not on every later command
            CliContextEntry entry;
            if (config.Contexts.TryGetValue(target, out var existing))
                entry = existing with { Namespace = parse.GetValue(ns) ?? existing.Namespace, Server = parse.GetValue(server) ?? existing.Server };
            else if (parse.GetValue(server) is { } url)
                entry = new CliContextEntry { Server = url, Namespace = parse.GetValue(ns) };
            else
                throw new CliException(Suggestions.NotFound("context", target, config.Contexts.Keys) + "; give --server to create it");
            config.WithContext(target, entry, makeCurrent: false).Save(path);
            Console.Out.WriteLine($"context \"{target}\" {(existing is null ? "created" : "updated")}");
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static Command DeleteContext()
    {
        var name = new Argument<string>("name") { Description = "Context to forget (its tokens too)" };
        var cmd = new Command("delete-context", "Forget a context") { name };
        cmd.SetAction((parse, ct) => CliRunner.RunAsync(_ =>
        {
            var path = CliConfig.DefaultPath();
            var config = CliConfig.Load(path);
            var target = parse.GetValue(name)!;
            if (!config.Contexts.ContainsKey(target)) throw new CliException(Suggestions.NotFound("context", target, config.Contexts.Keys));
            var contexts = new Dictionary<string, CliContextEntry>(config.Contexts, StringComparer.Ordinal);
            contexts.Remove(target);
            (config with { Contexts = contexts, CurrentContext = config.CurrentContext == target ? contexts.Keys.FirstOrDefault() : config.CurrentContext }).Save(path);
            Console.Out.WriteLine($"deleted context \"{target}\"");
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }
}
