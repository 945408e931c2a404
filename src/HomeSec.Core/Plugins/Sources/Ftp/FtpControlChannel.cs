using System.Net.Sockets;
using System.Text;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>
/// The text side of one FTP connection: reads command lines with a hard length limit (a client
/// sending garbage cannot grow memory) and writes replies.
/// </summary>
internal sealed class FtpControlChannel(Socket socket, int maxLineBytes) : IAsyncDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly byte[] _buffer = new byte[Math.Max(maxLineBytes, 1024) * 2];
    private int _start;
    private int _end;

    public Socket Socket => socket;

    /// <summary>True when the client closed or reset the control connection and nothing it sent is left unread.</summary>
    public bool PeerClosed()
    {
        if (_end > _start)
        {
            return false;
        }

        try
        {
            // readable with nothing to read means end of stream (or a reset)
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>The next command line, <see cref="ControlLine.TooLong"/> for an overlong one (skipped), or null when the client closed.</summary>
    public async Task<ControlLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        var tooLong = false;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var take = (newline < 0 ? _end : newline) - _start;
            if (!tooLong && line.Length + take <= maxLineBytes)
            {
                line.Write(_buffer, _start, take);
            }
            else
            {
                tooLong = true;
            }

            if (newline >= 0)
            {
                _start = newline + 1;
                return tooLong ? ControlLine.TooLong : new ControlLine(Decode(line.ToArray()), false);
            }

            _start = _end = 0;
            var read = await _stream.ReadAsync(_buffer, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            _end = read;
        }
    }

    /// <summary>
    /// After a data connection ended with a plain close: has the client also gone (closed control, or
    /// sent ABOR)? A killed client closes both at once, which must not look like a finished upload.
    /// </summary>
    public async Task<bool> ClientAbandonedAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(grace);
        try
        {
            // Read until a whole line is there: a read stops at the TCP urgent mark, so "IAC IP IAC" may come
            // apart from "DM ABOR".
            while (Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start) < 0)
            {
                if (_start == _end)
                {
                    _start = _end = 0;
                }
                else if (_end == _buffer.Length)
                {
                    Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                    if (_end == _buffer.Length)
                    {
                        break;
                    }
                }

                var read = await _stream.ReadAsync(_buffer.AsMemory(_end), wait.Token);
                if (read == 0)
                {
                    return true;
                }

                _end += read;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // nothing (or no whole line) within the grace: the client is still there
        }
        catch (IOException)
        {
            return true;
        }

        return BufferedCommands().Any(verb => verb == "ABOR");
    }

    /// <summary>
    /// The verbs of the complete lines the client has already sent but nobody read yet, parsed as commands
    /// (so "CWD /laboratory" is a CWD, not an ABOR). They stay buffered for <see cref="ReadLineAsync"/>.
    /// </summary>
    private IEnumerable<string> BufferedCommands()
    {
        var position = _start;
        while (position < _end)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', position, _end - position);
            if (newline < 0)
            {
                yield break;
            }

            var text = Decode(_buffer.AsSpan(position, newline - position));
            yield return FtpCommandLine.Parse(text).Verb;
            position = newline + 1;
        }
    }

    public async Task ReplyAsync(int code, string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes($"{code} {text}\r\n");
        await _stream.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>A multi-line reply (e.g. FEAT): "code-first", " lines", "code last".</summary>
    public async Task ReplyLinesAsync(int code, string first, IEnumerable<string> lines, string last, CancellationToken cancellationToken)
    {
        var text = new StringBuilder().Append(code).Append('-').Append(first).Append("\r\n");
        foreach (var line in lines)
        {
            text.Append(' ').Append(line).Append("\r\n");
        }

        text.Append(code).Append(' ').Append(last).Append("\r\n");
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    /// <summary>
    /// Removes the Telnet commands RFC 959 lets a client put on the control connection: IAC IP and IAC DM
    /// (the "Synch" clients send before ABOR) and any other IAC command are dropped, IAC WILL/WONT/DO/DONT
    /// with their option byte too, IAC IAC is a literal 0xFF. Then the trailing CR goes.
    /// </summary>
    internal static string Decode(ReadOnlySpan<byte> raw)
    {
        const byte interpretAsCommand = 0xFF;
        var clean = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != interpretAsCommand)
            {
                clean.Add(raw[i]);
                continue;
            }

            if (i + 1 >= raw.Length)
            {
                break;
            }

            var command = raw[i + 1];
            if (command == interpretAsCommand)
            {
                clean.Add(interpretAsCommand);
                i++;
            }
            else if (command is >= 0xFB and <= 0xFE)
            {
                // WILL, WONT, DO, DONT carry one option byte
                i += 2;
            }
            else
            {
                i++;
            }
        }

        return Encoding.UTF8.GetString(clean.ToArray()).TrimEnd('\r');
    }
}

/// <summary>A command line split into its verb (upper case, e.g. "ABOR") and its argument.</summary>
internal readonly record struct FtpCommandLine(string Verb, string Argument)
{
    public static FtpCommandLine Parse(string line)
    {
        var text = line.TrimStart(' ');
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return new FtpCommandLine((space < 0 ? text : text[..space]).Trim().ToUpperInvariant(), space < 0 ? "" : text[(space + 1)..]);
    }
}

internal sealed record ControlLine(string Text, bool IsTooLong)
{
    public static readonly ControlLine TooLong = new("", true);
}
