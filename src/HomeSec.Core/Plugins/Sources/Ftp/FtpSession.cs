using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>What the server does with a finished upload; the source records it as a clip.</summary>
internal interface IFtpUploadTarget
{
    /// <summary>A file handed over as a clip and not yet processed: clients may not replace or delete it.</summary>
    bool IsPendingClip(string physicalPath);

    /// <summary>
    /// Moves the finished upload into place and records it; must be durable before the client hears 226.
    /// Refuses (<see cref="FtpCommitResult.NameBusy"/>) when the name belongs to a clip not yet processed.
    /// </summary>
    Task<FtpCommitResult> CommitAsync(string partialPath, string targetPath, CancellationToken cancellationToken);

    /// <summary>An upload could not be written (e.g. a full disk): the source reports it in its health.</summary>
    void ReportWriteFailure(string partialPath, IOException error);
}

internal enum FtpCommitResult
{
    Committed,

    /// <summary>Another upload of the same name became a clip that is not processed yet.</summary>
    NameBusy,
}

/// <summary>One client connection: its login, working folder and passive data connection.</summary>
internal sealed class FtpSession(
    FtpControlChannel control,
    FtpSourceOptions options,
    FtpPaths paths,
    IFtpUploadTarget uploads,
    FtpLoginThrottle throttle,
    FtpConnectionSlot slot,
    TimeProvider clock,
    ILogger logger) : IAsyncDisposable
{
    private const int MaxFailedLogins = 3;
    private static readonly string[] AnonymousNames = ["anonymous", "ftp"];
    private static readonly TimeSpan AbandonGrace = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ControlCheckInterval = TimeSpan.FromMilliseconds(200);

    private readonly string _peer = control.Socket.RemoteEndPoint?.ToString() ?? "?";
    private readonly IPAddress _address = Normalise(((IPEndPoint)control.Socket.RemoteEndPoint!).Address);

    /// <summary>Cancelled when the time to log in is up (no command before login extends it) or a newer connection took the pre-login slot.</summary>
    private readonly CancellationTokenSource _preAuth = new(options.PreAuthTimeout, clock);
    private CancellationTokenRegistration _eviction;
    private string? _user;
    private bool _loggedIn;
    private int _failedLogins;
    private string _cwd = "/";
    private Socket? _passive;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _eviction = slot.Evicted.Register(static preAuth => ((CancellationTokenSource)preAuth!).Cancel(), _preAuth);
        await control.ReplyAsync(220, "HomeSec FTP ready", cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            ControlLine? line;
            using (var idle = _loggedIn
                       ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
                       : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _preAuth.Token))
            {
                idle.CancelAfter(options.IdleTimeout);
                try
                {
                    line = await control.ReadLineAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await ReplyTimeoutAsync(cancellationToken);
                    return;
                }
            }

            if (line is null)
            {
                return;
            }

            if (line.IsTooLong)
            {
                await control.ReplyAsync(500, "Command line too long", cancellationToken);
                continue;
            }

            var (verb, argument) = FtpCommandLine.Parse(line.Text);
            logger.LogDebug("FTP {Peer}: {Verb} {Argument}", _peer, verb, verb == "PASS" ? "****" : argument);
            bool keepOpen;
            try
            {
                keepOpen = await HandleAsync(verb, argument, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _preAuth.IsCancellationRequested && !_loggedIn)
            {
                // the time to log in ran out while a login attempt waited for its turn
                keepOpen = false;
                await ReplyTimeoutAsync(cancellationToken);
            }

            if (!keepOpen)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        ClosePassive();
        await _eviction.DisposeAsync();
        _preAuth.Dispose();
        await control.DisposeAsync();
    }

    internal static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private async Task ReplyTimeoutAsync(CancellationToken cancellationToken)
    {
        if (_loggedIn)
        {
            logger.LogDebug("FTP {Peer}: idle for {Timeout}, closing", _peer, options.IdleTimeout);
            await control.ReplyAsync(421, "Idle timeout, closing control connection", cancellationToken);
        }
        else
        {
            logger.LogDebug("FTP {Peer}: not logged in within {Timeout}, closing", _peer, _preAuth.IsCancellationRequested ? options.PreAuthTimeout : options.IdleTimeout);
            await control.ReplyAsync(421, "Login timeout, closing control connection", cancellationToken);
        }
    }

    /// <returns>False when the connection should close.</returns>
    private async Task<bool> HandleAsync(string verb, string argument, CancellationToken cancellationToken)
    {
        var reply = new Func<int, string, Task>((code, text) => control.ReplyAsync(code, text, cancellationToken));
        if (verb.Length == 0 || verb.Length > 8 || !verb.All(char.IsAsciiLetter))
        {
            await reply(500, "Syntax error, command unrecognized");
            return true;
        }

        switch (verb)
        {
            // Before login only these: anything else (NOOP too) gets 530 and does not keep a connection alive.
            case "USER":
                return await UserAsync(argument.Trim(), reply);
            case "PASS":
                return await PassAsync(argument, reply, cancellationToken);
            case "QUIT":
                await reply(221, "Goodbye");
                return false;
            case "SYST":
                await reply(215, "UNIX Type: L8");
                return true;
            case "FEAT":
                await control.ReplyLinesAsync(211, "Features:", ["EPSV", "PASV", "SIZE", "MDTM", "UTF8"], "End", cancellationToken);
                return true;
            case "OPTS":
                await (argument.Trim().Equals("UTF8 ON", StringComparison.OrdinalIgnoreCase)
                    ? reply(200, "UTF8 is always on")
                    : reply(501, "Option not understood"));
                return true;
            case "AUTH" or "PBSZ" or "PROT":
                await reply(502, "TLS is not supported");
                return true;
        }

        if (!_loggedIn)
        {
            await reply(530, "Please log in with USER and PASS");
            return true;
        }

        try
        {
            await HandleLoggedInAsync(verb, argument, reply, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug(ex, "FTP {Peer}: {Verb} failed", _peer, verb);
            await reply(550, "Requested action not taken: file system error");
        }

        return true;
    }

    private async Task<bool> UserAsync(string name, Func<int, string, Task> reply)
    {
        if (name.Length == 0)
        {
            await reply(501, "USER needs a name");
            return true;
        }

        _user = name;
        _loggedIn = false;
        await reply(331, "Password required");
        return true;
    }

    private async Task<bool> PassAsync(string password, Func<int, string, Task> reply, CancellationToken cancellationToken)
    {
        if (_user is null)
        {
            await reply(503, "Send USER first");
            return true;
        }

        if (_loggedIn)
        {
            await reply(230, "Already logged in");
            return true;
        }

        var user = _user;
        _user = null;
        using var turn = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _preAuth.Token);
        var attempt = await throttle.AttemptAsync(_address, () => CredentialsMatch(user, password), turn.Token);
        switch (attempt.Verdict)
        {
            case LoginVerdict.Accepted when !slot.TryPromote():
                logger.LogWarning("FTP {Peer}: {User} logged in but all {Limit} sessions are taken; closing", _peer, user, options.MaxConnections);
                await reply(421, "Too many sessions, try again later");
                return false;
            case LoginVerdict.Accepted:
                _loggedIn = true;
                logger.LogDebug("FTP {Peer}: {User} logged in", _peer, user);
                await reply(230, "Logged in");
                return true;
            case LoginVerdict.Banned:
                await reply(421, "Too many failed logins from your address; try again later");
                return false;
            case LoginVerdict.BannedNow:
                logger.LogWarning("FTP FAIL LOGIN from {Address} (user {User}); {Count} failures within {Window}: address banned for {Duration}",
                    _address, user, attempt.FailuresInWindow, options.BanWindow, options.BanDuration);
                await reply(421, "Too many failed logins from your address; try again later");
                return false;
            default:
                _failedLogins++;
                logger.LogWarning("FTP FAIL LOGIN from {Address} (user {User}); {Count} failures within {Window}, next attempt in {Delay}",
                    _address, user, attempt.FailuresInWindow, options.BanWindow, attempt.Delay);
                // like vsftpd: the answer itself comes late, so one connection cannot guess quickly
                await Task.Delay(attempt.Delay, clock, turn.Token);
                await reply(530, "Login incorrect");
                return _failedLogins < MaxFailedLogins;
        }
    }

    private bool CredentialsMatch(string user, string password) =>
        (options.Anonymous && AnonymousNames.Contains(user, StringComparer.OrdinalIgnoreCase))
        || (options.Username is not null && options.Password is not null && user == options.Username && SameSecret(password, options.Password));

    private static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private async Task HandleLoggedInAsync(string verb, string argument, Func<int, string, Task> reply, CancellationToken cancellationToken)
    {
        switch (verb)
        {
            case "NOOP":
                await reply(200, "OK");
                return;
            case "TYPE":
                var type = argument.Trim().ToUpperInvariant();
                await (type is "A" or "I" or "A N" or "L 8" ? reply(200, $"Type set to {type}") : reply(504, "Only TYPE A and I are supported"));
                return;
            case "MODE":
                await (argument.Trim().Equals("S", StringComparison.OrdinalIgnoreCase) ? reply(200, "Mode S") : reply(504, "Only stream mode"));
                return;
            case "STRU":
                await (argument.Trim().Equals("F", StringComparison.OrdinalIgnoreCase) ? reply(200, "Structure F") : reply(504, "Only file structure"));
                return;
            case "ALLO":
                await reply(202, "No storage allocation necessary");
                return;
            case "PWD" or "XPWD":
                await reply(257, $"\"{_cwd.Replace("\"", "\"\"", StringComparison.Ordinal)}\" is the current directory");
                return;
            case "CWD" or "XCWD":
                await ChangeDirectoryAsync(argument, reply);
                return;
            case "CDUP" or "XCUP":
                await ChangeDirectoryAsync("..", reply);
                return;
            case "MKD" or "XMKD":
                await MakeDirectoryAsync(argument, reply);
                return;
            case "RMD" or "XRMD":
                await RemoveDirectoryAsync(argument, reply);
                return;
            case "PASV":
                await OpenPassiveAsync(extended: false, reply);
                return;
            case "EPSV":
                await OpenPassiveAsync(extended: true, reply);
                return;
            case "PORT" or "EPRT":
                await reply(502, "Active mode is not supported; use PASV or EPSV");
                return;
            case "SIZE":
                await SizeAsync(argument, reply);
                return;
            case "MDTM":
                await ModifiedAsync(argument, reply);
                return;
            case "DELE":
                await DeleteAsync(argument, reply);
                return;
            case "LIST" or "NLST":
                await ListAsync(argument, namesOnly: verb == "NLST", reply, cancellationToken);
                return;
            case "RETR":
                await RetrieveAsync(argument, reply, cancellationToken);
                return;
            case "STOR":
                await StoreAsync(argument, reply, cancellationToken);
                return;
            case "ABOR":
                ClosePassive();
                await reply(226, "Nothing to abort");
                return;
            default:
                await reply(502, "Command not implemented");
                return;
        }
    }

    private bool TryResolve(string argument, out string virtualPath, out string physicalPath)
    {
        virtualPath = physicalPath = "";
        if (paths.Resolve(_cwd, argument.Trim().Length == 0 ? "." : argument) is not { } resolved)
        {
            return false;
        }

        (virtualPath, physicalPath) = resolved;
        return true;
    }

    private async Task ChangeDirectoryAsync(string argument, Func<int, string, Task> reply)
    {
        if (argument.Trim().Length == 0)
        {
            await reply(501, "CWD needs a directory");
        }
        else if (TryResolve(argument, out var virtualPath, out var physical) && Directory.Exists(physical))
        {
            _cwd = virtualPath;
            await reply(250, $"Directory changed to {virtualPath}");
        }
        else
        {
            await reply(550, "No such directory");
        }
    }

    private async Task MakeDirectoryAsync(string argument, Func<int, string, Task> reply)
    {
        if (argument.Trim().Length == 0)
        {
            await reply(501, "MKD needs a directory");
        }
        else if (!TryResolve(argument, out var virtualPath, out var physical) || virtualPath == "/")
        {
            await reply(550, "Permission denied");
        }
        else if (Directory.Exists(physical) || File.Exists(physical))
        {
            await reply(550, "Already exists");
        }
        else if (!Directory.Exists(Path.GetDirectoryName(physical)))
        {
            await reply(550, "Parent directory does not exist");
        }
        else
        {
            Directory.CreateDirectory(physical);
            await reply(257, $"\"{virtualPath.Replace("\"", "\"\"", StringComparison.Ordinal)}\" created");
        }
    }

    private async Task RemoveDirectoryAsync(string argument, Func<int, string, Task> reply)
    {
        if (argument.Trim().Length == 0)
        {
            await reply(501, "RMD needs a directory");
        }
        else if (!TryResolve(argument, out var virtualPath, out var physical) || virtualPath == "/" || !Directory.Exists(physical))
        {
            await reply(550, "No such directory");
        }
        else if (Directory.EnumerateFileSystemEntries(physical).Any())
        {
            await reply(550, "Directory not empty");
        }
        else
        {
            Directory.Delete(physical);
            await reply(250, "Directory removed");
        }
    }

    private async Task SizeAsync(string argument, Func<int, string, Task> reply)
    {
        if (argument.Trim().Length == 0)
        {
            await reply(501, "SIZE needs a file");
        }
        else if (TryResolve(argument, out _, out var physical) && File.Exists(physical))
        {
            await reply(213, new FileInfo(physical).Length.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            await reply(550, "No such file");
        }
    }

    private async Task ModifiedAsync(string argument, Func<int, string, Task> reply)
    {
        if (TryResolve(argument, out _, out var physical) && argument.Trim().Length > 0 && File.Exists(physical))
        {
            await reply(213, File.GetLastWriteTimeUtc(physical).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        }
        else
        {
            await reply(550, "No such file");
        }
    }

    private async Task DeleteAsync(string argument, Func<int, string, Task> reply)
    {
        if (argument.Trim().Length == 0)
        {
            await reply(501, "DELE needs a file");
        }
        else if (!TryResolve(argument, out _, out var physical) || !File.Exists(physical))
        {
            await reply(550, "No such file");
        }
        else if (uploads.IsPendingClip(physical))
        {
            await reply(550, "The file is a clip still being processed");
        }
        else
        {
            File.Delete(physical);
            await reply(250, "File deleted");
        }
    }

    private async Task OpenPassiveAsync(bool extended, Func<int, string, Task> reply)
    {
        ClosePassive();
        var local = ((IPEndPoint)control.Socket.LocalEndPoint!).Address;
        var advertised = options.PassiveAddress ?? (local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local);
        if (!extended && advertised.AddressFamily != AddressFamily.InterNetwork)
        {
            await reply(425, "PASV needs IPv4; use EPSV");
            return;
        }

        var listener = BindPassive(local);
        if (listener is null)
        {
            await reply(425, "No passive port available");
            return;
        }

        _passive = listener;
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        if (extended)
        {
            await reply(229, $"Entering Extended Passive Mode (|||{port}|)");
        }
        else
        {
            var address = string.Join(',', advertised.GetAddressBytes());
            await reply(227, $"Entering Passive Mode ({address},{port >> 8},{port & 0xFF})");
        }
    }

    private Socket? BindPassive(IPAddress local)
    {
        var candidates = options.PassivePorts is var (first, last)
            ? Enumerable.Range(first, last - first + 1).OrderBy(_ => Random.Shared.Next()).Take(64)
            : [0];
        foreach (var port in candidates)
        {
            var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, port));
                socket.Listen(1);
                return socket;
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
        }

        return null;
    }

    private void ClosePassive()
    {
        _passive?.Dispose();
        _passive = null;
    }

    /// <summary>The client's data connection to the announced passive port; only from the client's own address.</summary>
    private async Task<Socket?> AcceptDataAsync(Func<int, string, Task> reply, CancellationToken cancellationToken)
    {
        if (_passive is not { } listener)
        {
            await reply(425, "Use PASV or EPSV first");
            return null;
        }

        _passive = null;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(options.IdleTimeout);
        var controlGone = EndWhenControlClosesAsync(wait);
        try
        {
            while (true)
            {
                var data = await listener.AcceptAsync(wait.Token);
                if (Normalise(((IPEndPoint)data.RemoteEndPoint!).Address).Equals(_address))
                {
                    return data;
                }

                logger.LogWarning("FTP {Peer}: refused a data connection from another address {Other}", _peer, data.RemoteEndPoint);
                data.Dispose();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (controlGone.IsCompletedSuccessfully && await controlGone)
            {
                // nobody left to tell; the session ends at its next read
                logger.LogDebug("FTP {Peer}: control connection closed while waiting for the data connection", _peer);
                return null;
            }

            await reply(425, "Data connection not opened in time");
            return null;
        }
        finally
        {
            await wait.CancelAsync();
            await controlGone;
            listener.Dispose();
        }
    }

    /// <summary>
    /// Cancels <paramref name="wait"/> as soon as the client's control connection is gone, so a session
    /// waiting for a data connection does not hold its slot for the whole idle timeout. Polls the socket
    /// (without reading: pipelined commands stay for the command loop).
    /// </summary>
    private async Task<bool> EndWhenControlClosesAsync(CancellationTokenSource wait)
    {
        try
        {
            while (!wait.IsCancellationRequested)
            {
                if (control.PeerClosed())
                {
                    await wait.CancelAsync();
                    return true;
                }

                await Task.Delay(ControlCheckInterval, clock, wait.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // the wait ended for another reason
        }

        return false;
    }

    private async Task ListAsync(string argument, bool namesOnly, Func<int, string, Task> reply, CancellationToken cancellationToken)
    {
        // clients pass ls flags ("-la"); they are not paths
        var target = string.Join(' ', argument.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith('-')));
        if (!TryResolve(target, out _, out var physical) || !(Directory.Exists(physical) || File.Exists(physical)))
        {
            await reply(550, "No such file or directory");
            return;
        }

        IEnumerable<FileSystemInfo> entries = Directory.Exists(physical)
            ? new DirectoryInfo(physical).EnumerateFileSystemInfos()
                .Where(e => !(Path.GetDirectoryName(e.FullName) == paths.Root && FtpPaths.ReservedNames.Contains(e.Name)))
                // a symbolic link is not shown: listing it would read (and reveal) what it points at
                .Where(e => e.LinkTarget is null)
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList()
            : [new FileInfo(physical)];
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(namesOnly ? entry.Name : FormatListLine(entry)).Append("\r\n");
        }

        using var data = await AcceptDataAsync(reply, cancellationToken);
        if (data is null)
        {
            return;
        }

        await reply(150, "Here comes the listing");
        await using (var stream = new NetworkStream(data, ownsSocket: false))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
        }

        data.Shutdown(SocketShutdown.Both);
        await reply(226, "Listing sent");
    }

    private static string FormatListLine(FileSystemInfo entry)
    {
        var directory = entry is DirectoryInfo;
        var size = entry is FileInfo file ? file.Length : 4096;
        var modified = entry.LastWriteTimeUtc;
        var when = modified > DateTime.UtcNow.AddMonths(-6)
            ? modified.ToString("MMM dd HH:mm", CultureInfo.InvariantCulture)
            : modified.ToString("MMM dd  yyyy", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{(directory ? "drwxr-xr-x" : "-rw-r--r--")} 1 homesec homesec {size,12} {when} {entry.Name}");
    }

    private async Task RetrieveAsync(string argument, Func<int, string, Task> reply, CancellationToken cancellationToken)
    {
        if (argument.Trim().Length == 0)
        {
            await reply(501, "RETR needs a file");
            return;
        }

        if (!TryResolve(argument, out _, out var physical) || !File.Exists(physical))
        {
            await reply(550, "No such file");
            return;
        }

        using var data = await AcceptDataAsync(reply, cancellationToken);
        if (data is null)
        {
            return;
        }

        // Open first, then check what was opened: a link swapped in after the path check cannot leak a file from outside.
        using var handle = File.OpenHandle(physical, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        if (!paths.OpenedAsExpected(handle, physical))
        {
            logger.LogWarning("FTP {Peer}: RETR of {Path} opened another file (a link swapped in?); refused", _peer, physical);
            await reply(550, "No such file");
            return;
        }

        await reply(150, "Opening data connection");
        try
        {
            await using (var file = new FileStream(handle, FileAccess.Read, 1 << 16, isAsync: true))
            await using (var stream = new NetworkStream(data, ownsSocket: false))
            {
                await file.CopyToAsync(stream, cancellationToken);
            }

            data.Shutdown(SocketShutdown.Both);
            await reply(226, "Transfer complete");
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            await reply(426, "Connection closed; transfer aborted");
        }
    }

    private async Task StoreAsync(string argument, Func<int, string, Task> reply, CancellationToken cancellationToken)
    {
        if (argument.Trim().Length == 0)
        {
            await reply(501, "STOR needs a file name");
            return;
        }

        if (!TryResolve(argument, out var virtualPath, out var target) || virtualPath == "/" || Directory.Exists(target))
        {
            await reply(553, "File name not allowed");
            return;
        }

        if (!Directory.Exists(Path.GetDirectoryName(target)))
        {
            await reply(553, "Directory does not exist");
            return;
        }

        if (uploads.IsPendingClip(target))
        {
            await reply(550, "A clip of that name is still being processed");
            return;
        }

        if (new FileInfo(options.PartialDir).LinkTarget is not null)
        {
            logger.LogWarning("FTP: {PartialDir} is a symbolic link; uploads refused until it is a folder", options.PartialDir);
            await reply(451, "Local error in processing");
            return;
        }

        using var data = await AcceptDataAsync(reply, cancellationToken);
        if (data is null)
        {
            return;
        }

        Directory.CreateDirectory(options.PartialDir);
        var partial = Path.Combine(options.PartialDir, $"{Guid.NewGuid():N}{Path.GetExtension(target)}");
        try
        {
            // Every way out of here (reset, abort, size limit, timeout, full disk, a crash in between) deletes the partial file in finally.
            await reply(150, "Ok to send data");
            var outcome = await ReceiveAsync(data, partial, cancellationToken);
            switch (outcome.Kind)
            {
                case StoreOutcomeKind.Completed when await control.ClientAbandonedAsync(AbandonGrace, cancellationToken):
                    logger.LogInformation("FTP {Peer}: upload of {Path} abandoned by the client; discarded", _peer, virtualPath);
                    await reply(426, "Transfer aborted; file discarded");
                    return;
                case StoreOutcomeKind.Completed:
                    await CommitAsync(partial, target, virtualPath, reply, cancellationToken);
                    return;
                case StoreOutcomeKind.WriteFailed:
                    var diskFull = IsDiskFull(outcome.Error!);
                    logger.LogError(outcome.Error, "FTP {Peer}: upload of {Path} could not be written ({Reason}); discarded", _peer, virtualPath, diskFull ? "disk full" : "I/O error");
                    uploads.ReportWriteFailure(partial, outcome.Error!);
                    await (diskFull
                        ? reply(452, "Insufficient storage space; transfer aborted")
                        : reply(451, "Local error in processing; transfer aborted"));
                    return;
                case StoreOutcomeKind.TooLarge:
                    logger.LogInformation("FTP {Peer}: upload of {Path} broken ({Outcome}); discarded", _peer, virtualPath, outcome.Kind);
                    await reply(552, $"File exceeds the limit of {options.MaxFileBytes} bytes; transfer aborted");
                    return;
                default:
                    logger.LogInformation("FTP {Peer}: upload of {Path} broken ({Outcome}); discarded", _peer, virtualPath, outcome.Kind);
                    await reply(426, "Connection closed; transfer aborted");
                    return;
            }
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private async Task CommitAsync(string partial, string target, string virtualPath, Func<int, string, Task> reply, CancellationToken cancellationToken)
    {
        if (await uploads.CommitAsync(partial, target, cancellationToken) == FtpCommitResult.NameBusy)
        {
            logger.LogWarning("FTP {Peer}: upload of {Path} refused: a clip of that name arrived meanwhile and is not processed yet", _peer, virtualPath);
            await reply(550, "A clip of that name is still being processed");
            return;
        }

        logger.LogDebug("FTP {Peer}: stored {Path}", _peer, virtualPath);
        await reply(226, "Transfer complete");
    }

    /// <summary>ENOSPC / EDQUOT on Unix, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    private static bool IsDiskFull(IOException error) => (error.HResult & 0xFFFF) is 28 or 122 or 0x70 or 0x27;

    private async Task<StoreOutcome> ReceiveAsync(Socket data, string partial, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        try
        {
            await using var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            while (true)
            {
                int read;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    idle.CancelAfter(options.IdleTimeout);
                    read = await data.ReceiveAsync(buffer, SocketFlags.None, idle.Token);
                }

                if (read == 0)
                {
                    await file.FlushAsync(cancellationToken);
                    file.Flush(flushToDisk: true);
                    return new StoreOutcome(StoreOutcomeKind.Completed);
                }

                total += read;
                if (total > options.MaxFileBytes)
                {
                    data.LingerState = new LingerOption(true, 0);
                    return new StoreOutcome(StoreOutcomeKind.TooLarge);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new StoreOutcome(StoreOutcomeKind.Broken);
        }
        catch (SocketException)
        {
            return new StoreOutcome(StoreOutcomeKind.Broken);
        }
        catch (IOException ex)
        {
            // the local side failed (disk full, I/O error): the client's data is fine, ours is not
            data.LingerState = new LingerOption(true, 0);
            return new StoreOutcome(StoreOutcomeKind.WriteFailed, ex);
        }
    }

    private sealed record StoreOutcome(StoreOutcomeKind Kind, IOException? Error = null);

    private enum StoreOutcomeKind
    {
        Completed,
        TooLarge,
        Broken,
        WriteFailed,
    }
}
