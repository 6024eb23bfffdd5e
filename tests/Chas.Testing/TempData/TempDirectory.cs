namespace Chas.Testing.TempData;

/// <summary>
/// A directory of its own under the system's temp directory for one server, store or process to write into,
/// deleted (best effort) on dispose: every harness that needs a data directory gets it from here.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path) => Path = path;

    /// <summary>The directory's full path; it exists until <see cref="Dispose"/>.</summary>
    public string Path { get; }

    /// <summary>Creates <c>$TMPDIR/{prefix}{8 hex digits}</c>.</summary>
    public static TempDirectory Create(string prefix)
    {
        var directory = new TempDirectory(NewPath(prefix));
        Directory.CreateDirectory(directory.Path);
        return directory;
    }

    /// <summary>
    /// A path under the temp directory that nothing uses yet, not created: for a server that must create its
    /// data directory itself.
    /// </summary>
    public static string NewPath(string prefix) =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A path inside this directory.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Deletes <paramref name="path"/> and everything in it, unless something still writes there.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Something still writes there (a process being torn down); the OS cleans temp eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // A container wrote files as another user; the OS cleans temp eventually.
        }
    }

    public void Dispose() => TryDelete(Path);
}
