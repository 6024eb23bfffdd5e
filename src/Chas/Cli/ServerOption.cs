using System.CommandLine;

namespace Chas.Cli;

/// <summary>
/// `--server URL[,URL…]` on every verb that talks to a server through <see cref="Connection"/>: it beats
/// CHAS_SERVER and the context's server for that one command (the context's token and CA still apply when the
/// servers are the context's own).
/// </summary>
internal static class ServerOption
{
    public const string Name = "--server";

    /// <summary>Verbs that run a process of their own or never reach a server through the context.</summary>
    private static readonly HashSet<string> NotClients = new(StringComparer.Ordinal) { "server", "dev", "agent", "ingress", "completion", "config" };

    private static readonly HashSet<Option> Added = [];

    /// <summary>Parses <paramref name="args"/> with --server on every client verb, and hands its value to <see cref="Connection"/>.</summary>
    public static ParseResult Parse(Command root, IReadOnlyList<string> args)
    {
        AddToClientVerbs(root);
        var parse = root.Parse(args);
        Connection.CommandLineServer = ValueOf(parse);
        return parse;
    }

    /// <summary>Adds the option to each runnable verb below <paramref name="root"/> that has no --server of its own.</summary>
    public static void AddToClientVerbs(Command root)
    {
        lock (Added)
            foreach (var verb in root.Subcommands.Where(c => !NotClients.Contains(c.Name)))
                AddBelow(verb);
    }

    /// <summary>The value given to a verb's added option, or null.</summary>
    public static string? ValueOf(ParseResult parse)
    {
        lock (Added)
            return parse.CommandResult.Command.Options.FirstOrDefault(Added.Contains) is Option<string?> option ? parse.GetValue(option) : null;
    }

    private static void AddBelow(Command command)
    {
        foreach (var sub in command.Subcommands) AddBelow(sub);
        if (command.Action is null || command.Options.Any(o => o.Name == Name || o.Aliases.Contains(Name))) return;
        var option = new Option<string?>(Name) { Description = "Server URL(s) for this command, comma-separated (default: CHAS_SERVER, else the context's)" };
        Added.Add(option);
        command.Options.Add(option);
    }
}
