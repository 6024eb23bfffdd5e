namespace Chas.Runtime;

/// <summary>
/// Makes images without a registry, from a root filesystem tar (`chas image import`, offline nodes, tests). A runtime
/// that can implements this beside <see cref="IContainerRuntime"/> and says so in <see cref="RuntimeCapabilities.ImageImport"/>.
/// </summary>
public interface IImageImporter
{
    /// <summary>Imports <paramref name="rootfsTar"/> as image <paramref name="reference"/> (name:tag); returns once the image is usable.</summary>
    /// <exception cref="RuntimeException">The engine rejected the import or is not reachable.</exception>
    Task ImportRootfsAsync(Stream rootfsTar, string reference, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a minimal root filesystem built from this machine's static busybox at <paramref name="busyboxPath"/>
    /// (shells, test workloads, a static file server), ready for <see cref="ImportRootfsAsync"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">No busybox at <paramref name="busyboxPath"/>.</exception>
    void WriteBusyboxRootfs(Stream output, string busyboxPath = "/bin/busybox");
}
