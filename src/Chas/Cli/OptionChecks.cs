using System.CommandLine;

namespace Chas.Cli;

/// <summary>
/// Checks that run while the command line is parsed, so a bad value is refused before the command does anything
/// (a server with --port 70000 used to create its data directory first, then fail with a stack trace).
/// </summary>
internal static class OptionChecks
{
    public static Option<int> AsPort(this Option<int> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var port and (< 0 or > 65535))
                result.AddError($"{option.Name}: {port} is not a port (0 to 65535)");
        });
        return option;
    }

    public static Option<string> AsPortRange(this Option<string> option)
    {
        option.Validators.Add(result =>
        {
            try
            {
                HostDefaults.ParsePortRange(result.GetValueOrDefault<string>() ?? "");
            }
            catch (CliException ex)
            {
                result.AddError(ex.Message);
            }
        });
        return option;
    }
}
