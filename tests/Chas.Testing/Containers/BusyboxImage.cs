using Chas.Runtime.Docker;
using Chas.Runtime.Docker.Images;
using Docker.DotNet;

namespace Chas.Testing.Containers;

/// <summary>
/// The image every test task and bench sample runs: a busybox root filesystem built from the machine's own
/// busybox and imported through the Engine API, so that no registry is needed.
/// </summary>
public static class BusyboxImage
{
    /// <summary>The tests' reference, imported once per test run.</summary>
    public const string Reference = "chas-test/busybox:latest";

    private static readonly Lazy<Task> Import = new(ImportOnceAsync);

    public static Task EnsureImportedAsync() => Import.Value;

    private static async Task ImportOnceAsync()
    {
        using var client = new DockerClientConfiguration(new Uri(new DockerRuntimeOptions().Endpoint)).CreateClient();
        await ImportAsync(client, Reference, CancellationToken.None);
    }

    /// <summary>
    /// Imports the rootfs as <paramref name="reference"/>. <see cref="RootfsImage.ImportAsync"/> removes the earlier
    /// import it replaces unless something still uses it, so imports on every run do not pile up.
    /// </summary>
    public static async Task ImportAsync(IDockerClient docker, string reference, CancellationToken ct)
    {
        using var tar = new MemoryStream();
        RootfsImage.WriteBusyboxRootfsTar(tar);
        tar.Position = 0;
        await RootfsImage.ImportAsync(docker, tar, reference, ct);
    }
}
