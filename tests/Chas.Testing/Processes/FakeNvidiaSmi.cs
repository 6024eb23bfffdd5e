using System.Text;

namespace Chas.Testing.Processes;

/// <summary>
/// An `nvidia-smi` for `chas agent --nvidia-smi PATH`: a shell script that answers the agent's query
/// (`--query-gpu=index,name,memory.total --format=csv,noheader,nounits`) as a machine with N GPUs of
/// 16 GiB would, and fails on any other arguments, so that a changed query shows up as a node without GPUs.
/// With N = 0 it stands for a machine without GPUs, whatever the real machine has.
/// </summary>
public static class FakeNvidiaSmi
{
    public const string Model = "Fake GPU";
    public const long MemoryMiB = 16384;

    /// <summary>Writes the script into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory, int gpus)
    {
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("[ \"$1\" = \"--query-gpu=index,name,memory.total\" ] && [ \"$2\" = \"--format=csv,noheader,nounits\" ] || exit 2\n");
        for (var i = 0; i < gpus; i++) script.Append($"echo '{i}, {Model}, {MemoryMiB}'\n");
        var path = Path.Combine(directory, $"nvidia-smi-{gpus}-gpus.sh");
        File.WriteAllText(path, script.ToString());
        if (!OperatingSystem.IsWindows()) // the agents run on Linux only; this keeps the analyzer's platform check satisfied
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
