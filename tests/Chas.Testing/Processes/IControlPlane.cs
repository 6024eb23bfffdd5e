using Chas.Client;

namespace Chas.Testing.Processes;

/// <summary>
/// A running CHaS API that tests talk to and agents join: a <see cref="ChasDevProcess"/> (server and
/// built-in agent) or a <see cref="ChasServerProcess"/> (the control plane alone).
/// </summary>
public interface IControlPlane
{
    /// <summary>What the test output calls it.</summary>
    string Description { get; }
    Uri Url { get; }

    /// <summary>What agents get as <c>--server</c>: the one URL, or every server of a cluster separated by commas.</summary>
    string ServerArgument => Url.ToString();
    string TempDir { get; }

    /// <summary>The server's data directory (its token files, its CA).</summary>
    string DataDir { get; }
    string NodeToken { get; }

    /// <summary>The typed API client, with the admin token.</summary>
    ChasClient Client { get; }

    /// <summary>The `chas` CLI, pointed at this server with the admin token.</summary>
    ChasCli Cli { get; }

    /// <summary>Where CLI and agent processes started for this server keep their (unused) configuration.</summary>
    string CliConfigPath { get; }

    /// <summary>What this process and the agents joining it printed, for failure messages and test output.</summary>
    OutputLog Log { get; }

    string Diagnostics();

    /// <summary>Another agent joined: its containers are cleaned up with this server's.</summary>
    void TrackNode(string nodeName);
}
