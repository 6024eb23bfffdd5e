using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker.Images;

/// <summary>
/// Images for nodes without a registry: a root filesystem written as a tar here and imported through the Engine
/// API. The busybox rootfs is enough for shells, test workloads and a static file server (busybox httpd).
/// </summary>
public static class RootfsImage
{
    /// <summary>The comment the engine records on images imported here, so tooling can tell them apart.</summary>
    public const string ImportComment = "chas rootfs import";

    /// <summary>Commands linked to busybox under /bin, so images can run "sh -c …", "httpd", "sleep" and friends.</summary>
    public static IReadOnlyList<string> BusyboxApplets { get; } =
    [
        "sh", "echo", "cat", "ls", "sleep", "env", "hostname", "httpd", "wget", "nc", "true", "false", "printf",
        "yes", "head", "tail", "seq", "dd", "id", "ps", "kill", "date", "mkdir", "rm", "touch", "grep", "sed",
        "awk", "top", "uname", "wc", "tr",
    ];

    // A fixed time keeps the tar byte-for-byte reproducible, so re-imports yield the same layer.
    private static readonly DateTimeOffset EntryTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101; // 0755
    private const UnixFileMode ExecutableMode = (UnixFileMode)0b111_101_101; // 0755
    private const UnixFileMode ReadOnlyDirectoryMode = (UnixFileMode)0b101_101_101; // 0555, like a kernel mount point
    private const UnixFileMode WorldWritableStickyMode = (UnixFileMode)0b1_111_111_111; // 1777
    private const UnixFileMode PlainFileMode = (UnixFileMode)0b110_100_100; // 0644
    private const UnixFileMode PrivateDirectoryMode = (UnixFileMode)0b111_000_000; // 0700

    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    private const string Group = "root:x:0:\nnobody:x:65534:\n";

    /// <summary>
    /// Writes a minimal root filesystem: a static busybox at /bin/busybox with its applets linked beside it,
    /// /etc/passwd and /etc/group with root and nobody, and the usual empty directories.
    /// </summary>
    /// <param name="busyboxPath">A statically linked busybox (Debian: package busybox-static), since the image has no libc.</param>
    public static void WriteBusyboxRootfsTar(Stream output, string busyboxPath = "/bin/busybox")
    {
        if (!File.Exists(busyboxPath))
        {
            throw new FileNotFoundException(
                $"busybox was not found at '{busyboxPath}'; install a static busybox (Debian: apt-get install busybox-static).",
                busyboxPath);
        }

        using var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        WriteDirectory(tar, "bin/", DirectoryMode);
        WriteDirectory(tar, "dev/", DirectoryMode);
        WriteDirectory(tar, "etc/", DirectoryMode);
        WriteDirectory(tar, "proc/", ReadOnlyDirectoryMode);
        WriteDirectory(tar, "root/", PrivateDirectoryMode);
        WriteDirectory(tar, "sys/", ReadOnlyDirectoryMode);
        WriteDirectory(tar, "tmp/", WorldWritableStickyMode);
        WriteDirectory(tar, "var/", DirectoryMode);
        WriteDirectory(tar, "var/www/", DirectoryMode);

        using (var busybox = File.OpenRead(busyboxPath))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "bin/busybox")
            {
                Mode = ExecutableMode,
                ModificationTime = EntryTime,
                DataStream = busybox,
            });
        }

        foreach (var applet in BusyboxApplets)
        {
            // Relative targets keep the links valid wherever the rootfs is mounted.
            tar.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}")
            {
                LinkName = "busybox",
                Mode = ExecutableMode,
                ModificationTime = EntryTime,
            });
        }

        WriteTextFile(tar, "etc/passwd", Passwd);
        WriteTextFile(tar, "etc/group", Group);
    }

    /// <summary>
    /// Imports <paramref name="rootfsTar"/> as image <paramref name="reference"/> (POST /images/create?fromSrc=-),
    /// with a default command of <c>sh</c>, and returns once the engine can inspect the image.
    /// Every import makes a new image (its config records the creation time); the earlier import that held the
    /// reference is removed unless a container or another tag still uses it, so re-imports do not pile up.
    /// </summary>
    /// <exception cref="RuntimeException">The engine rejected the import.</exception>
    public static async Task ImportAsync(
        IDockerClient client, Stream rootfsTar, string reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(rootfsTar);
        var (repository, tag) = ImageReference.Split(reference);
        if (tag is null)
        {
            throw new ArgumentException($"an imported image needs a name and tag, not a digest: '{reference}'", nameof(reference));
        }

        var readable = $"{repository}:{tag}";
        var parameters = new ImagesCreateParameters
        {
            FromSrc = "-",
            Repo = repository,
            Tag = tag,
            Message = ImportComment,
            // Dockerfile syntax, applied to the image config: without a CMD, "docker run image" has nothing to run.
            Changes = ["CMD [\"sh\"]"],
        };
        var replaced = await TryInspectAsync(client, readable, cancellationToken);
        var errors = new StreamedErrorRecorder();
        try
        {
            await client.Images.CreateImageAsync(parameters, rootfsTar, null, errors, cancellationToken);
        }
        catch (DockerApiException e)
        {
            throw new RuntimeException($"importing image '{readable}': {EngineErrors.MessageOf(e)}", e);
        }
        catch (Exception e) when (EngineErrors.IsUnreachable(e))
        {
            throw new RuntimeException($"importing image '{readable}': the Docker engine is not reachable ({e.Message})", e);
        }

        if (errors.FirstError is { } error)
        {
            throw new RuntimeException($"importing image '{readable}': {error}");
        }

        // The engine tags the image before it ends the response, so one inspect confirms the import.
        var imported = await TryInspectAsync(client, readable, cancellationToken)
            ?? throw new RuntimeException($"importing image '{readable}': the engine accepted the tar but the image is missing");

        // Only images this class made: anything else under the same name is the user's business.
        if (replaced is { Comment: ImportComment } && replaced.ID != imported.ID)
        {
            await TryRemoveAsync(client, replaced.ID, cancellationToken);
        }
    }

    private static async Task<ImageInspectResponse?> TryInspectAsync(IDockerClient client, string image, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Images.InspectImageAsync(image, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    private static async Task TryRemoveAsync(IDockerClient client, string imageId, CancellationToken cancellationToken)
    {
        try
        {
            // Without force the engine refuses while a container (even a stopped one) or another tag uses the image.
            await client.Images.DeleteImageAsync(imageId, new ImageDeleteParameters(), cancellationToken);
        }
        catch (DockerApiException)
        {
            // Still in use, or someone removed it first: either way nothing to do.
        }
    }

    private static void WriteDirectory(TarWriter tar, string name, UnixFileMode mode) =>
        tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, name) { Mode = mode, ModificationTime = EntryTime });

    private static void WriteTextFile(TarWriter tar, string name, string content)
    {
        using var data = new MemoryStream(Encoding.UTF8.GetBytes(content));
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = PlainFileMode,
            ModificationTime = EntryTime,
            DataStream = data,
        });
    }
}
