using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Chas.Cli;

/// <summary>
/// A mistake on the command line gets one line on stderr, as any other CLI error, instead of the parser's message
/// followed by the whole help on stdout (which `chas ps -o jsn | jq` then received), in words rather than .NET type
/// names.
/// </summary>
internal static partial class UsageErrors
{
    /// <summary>The exit code when the command line is wrong (after saying why), null when it may run.</summary>
    public static int? Report(ParseResult parse) => Describe(parse) is { } message ? CliRunner.Fail(message) : null;

    /// <summary>What is wrong with the command line, in one line; null when nothing is.</summary>
    public static string? Describe(ParseResult parse)
    {
        var message = parse.Errors.Count > 0 ? Friendly(parse.Errors[0].Message) : OptionTakenForCommand(parse);
        return message is null ? null : $"{message} (see '{CommandPath(parse.CommandResult)} --help')";
    }

    /// <summary>
    /// A command's trailing words (`chas deploy NAME --image I -- CMD…`) take whatever the parser does not know, so
    /// a mistyped flag (`--replica 3`) became the container's command and the deployment a crash loop. As in docker,
    /// the command starts with its first plain word (`chas exec web ls -la` stays valid) or after `--`; an unknown
    /// option before that is a mistake.
    /// </summary>
    private static string? OptionTakenForCommand(ParseResult parse)
    {
        var doubleDash = -1;
        for (var i = 0; i < parse.Tokens.Count; i++)
            if (parse.Tokens[i].Type == TokenType.DoubleDash) { doubleDash = i; break; }
        foreach (var argument in parse.CommandResult.Command.Arguments)
        {
            if (argument.Arity.MaximumNumberOfValues <= 1 || parse.GetResult(argument) is not ArgumentResult result) continue;
            foreach (var token in result.Tokens)
            {
                if (doubleDash >= 0 && IndexOf(parse.Tokens, token) > doubleDash) break;
                if (token.Value.Length < 2 || token.Value[0] != '-') break;
                return $"unknown option '{token.Value}' (a command and its arguments go after --)";
            }
        }
        return null;
    }

    private static int IndexOf(IReadOnlyList<Token> tokens, Token token)
    {
        for (var i = 0; i < tokens.Count; i++)
            if (ReferenceEquals(tokens[i], token)) return i;
        return -1;
    }

    private static string Friendly(string message)
    {
        var match = CannotParse().Match(message);
        if (!match.Success) return message.TrimEnd('.');
        var type = match.Groups["type"].Value;
        var expected = type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Double", StringComparison.Ordinal) ? "a number"
            : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
            : "valid here";
        return $"{match.Groups["symbol"].Value}: '{match.Groups["value"].Value}' is not {expected}";
    }

    private static string CommandPath(CommandResult? result)
    {
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as CommandResult) names.Add(r.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    [GeneratedRegex("^Cannot parse argument '(?<value>.*)' for (?:option|argument|command) '(?<symbol>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex CannotParse();
}
