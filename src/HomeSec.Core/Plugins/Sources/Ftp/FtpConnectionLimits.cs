using System.Net;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>Why a connection was not let in.</summary>
internal enum AdmissionRefusal
{
    None,
    AddressFull,
    ServerFull,
}

/// <summary>
/// Connection slots. Connections that have not logged in are counted per address and in total, apart
/// from the logged-in ones: a host that opens connections and never logs in fills only its own
/// pre-login allowance, never the camera's place.
/// </summary>
internal sealed class FtpConnectionLimits(FtpSourceOptions options)
{
    private readonly Dictionary<IPAddress, int> _preAuthByAddress = [];
    private int _preAuthTotal;
    private int _loggedIn;

    /// <summary>A pre-login slot for a new connection, or null with the reason when it is refused.</summary>
    public FtpConnectionSlot? TryAdmit(IPAddress address, out AdmissionRefusal refusal)
    {
        lock (_preAuthByAddress)
        {
            var fromAddress = _preAuthByAddress.GetValueOrDefault(address);
            refusal = fromAddress >= options.MaxPreAuthConnectionsPerAddress ? AdmissionRefusal.AddressFull
                : _preAuthTotal >= options.MaxPreAuthConnections ? AdmissionRefusal.ServerFull
                : AdmissionRefusal.None;
            if (refusal != AdmissionRefusal.None)
            {
                return null;
            }

            _preAuthByAddress[address] = fromAddress + 1;
            _preAuthTotal++;
            return new FtpConnectionSlot(this, address);
        }
    }

    internal bool TryPromote(IPAddress address)
    {
        lock (_preAuthByAddress)
        {
            if (_loggedIn >= options.MaxConnections)
            {
                return false;
            }

            ReleasePreAuth(address);
            _loggedIn++;
            return true;
        }
    }

    internal void Release(IPAddress address, bool loggedIn)
    {
        lock (_preAuthByAddress)
        {
            if (loggedIn)
            {
                _loggedIn--;
            }
            else
            {
                ReleasePreAuth(address);
            }
        }
    }

    private void ReleasePreAuth(IPAddress address)
    {
        _preAuthTotal--;
        if (_preAuthByAddress.TryGetValue(address, out var count) && count > 1)
        {
            _preAuthByAddress[address] = count - 1;
        }
        else
        {
            _preAuthByAddress.Remove(address);
        }
    }
}

/// <summary>One connection's slot: pre-login until <see cref="TryPromote"/>, then a logged-in one; disposing frees whichever it holds.</summary>
internal sealed class FtpConnectionSlot(FtpConnectionLimits limits, IPAddress address) : IDisposable
{
    private bool _released;

    public bool IsLoggedIn { get; private set; }

    /// <summary>Moves to a logged-in slot; false when all of them are taken (the slot stays pre-login).</summary>
    public bool TryPromote()
    {
        if (IsLoggedIn)
        {
            return true;
        }

        IsLoggedIn = limits.TryPromote(address);
        return IsLoggedIn;
    }

    public void Dispose()
    {
        if (!_released)
        {
            _released = true;
            limits.Release(address, IsLoggedIn);
        }
    }
}
