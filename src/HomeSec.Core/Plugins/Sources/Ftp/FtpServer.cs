using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>
/// Accepts control connections on one port, one task per connection. A banned address is turned away
/// at connect; connections not logged in yet are limited per address and in total, apart from the
/// logged-in ones (<see cref="FtpConnectionLimits"/>).
/// </summary>
internal sealed class FtpServer(FtpSourceOptions options, FtpPaths paths, IFtpUploadTarget uploads, FtpLoginThrottle throttle, TimeProvider clock, ILogger logger)
{
    private const int MaxLineBytes = 4096;

    private readonly FtpConnectionLimits _limits = new(options);

    public IPEndPoint? ListeningOn { get; private set; }

    /// <summary>Binds the port (so a bad port fails here) and serves until cancelled.</summary>
    public async Task RunAsync(Action onListening, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Parse(options.Host), options.Port));
        // A deep accept queue: with a short one, a burst of connections (a flood, or many cameras after a power cut)
        // overflows it while the accept loop is busy, and the kernel then leaves the overflowing clients hanging for up
        // to a minute of SYN-ACK retries instead of letting the limits below answer them at once.
        listener.Listen(1024);
        ListeningOn = (IPEndPoint)listener.LocalEndPoint!;
        logger.LogInformation("FTP source listening on {Endpoint}, root {Root}", ListeningOn, paths.Root);
        onListening();
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(cancellationToken);
                sessions.RemoveAll(t => t.IsCompleted);
                sessions.Add(ServeAsync(client, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            ListeningOn = null;
            await Task.WhenAll(sessions);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        await Task.Yield();
        // Urgent data (the Telnet Synch that clients send with ABOR, or Python's ABOR sent as MSG_OOB)
        // stays in the stream; otherwise the kernel takes its last byte out and the line breaks.
        client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.OutOfBandInline, true);
        var control = new FtpControlChannel(client, MaxLineBytes);
        var address = FtpSession.Normalise(((IPEndPoint)client.RemoteEndPoint!).Address);
        FtpConnectionSlot? slot = null;
        try
        {
            if (throttle.IsBanned(address))
            {
                logger.LogDebug("FTP: refused {Peer}, the address is banned after failed logins", client.RemoteEndPoint);
                await control.ReplyAsync(421, "Too many failed logins from your address; try again later", cancellationToken);
                return;
            }

            slot = _limits.TryAdmit(address, out var refusal);
            if (slot is null)
            {
                logger.LogDebug("FTP: refused {Peer} ({Refusal}): too many connections that have not logged in", client.RemoteEndPoint, refusal);
                await control.ReplyAsync(421, refusal == AdmissionRefusal.AddressFull
                    ? "Too many connections from your address, try again later"
                    : "Too many connections, try again later", cancellationToken);
                return;
            }

            await using var session = new FtpSession(control, options, paths, uploads, throttle, slot, clock, logger);
            await session.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) // a client's misbehaviour must never take the listener (or the daemon) down
        {
            logger.LogDebug(ex, "FTP: connection {Peer} ended with an error", client.RemoteEndPoint);
        }
        finally
        {
            slot?.Dispose();
            await control.DisposeAsync();
        }
    }
}
