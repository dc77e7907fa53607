// sdrnet virtual SoapySDR device: driver=sdrnet.
//
// Every device made with the same `medium=NAME` (default "default") joins
// one simulated radio channel shared by all processes of this user on this
// machine. Each transmitted burst goes to every other member; each member's
// receive stream is white Gaussian noise (`noise_db`, dBFS, default -40)
// plus what the others sent, shifted by the difference of the centre
// frequencies plus `cfo_hz`, paced in real time at the sample rate. So two
// `sdrnet` processes exchange frames through exactly the code path that
// real dongles use (phy/radio_soapy.c), with no hardware.
//
// Medium: a directory $TMPDIR/sdrnet-soapy-UID/NAME holding one Unix
// datagram socket per member. A burst is sent as datagrams of at most
// FRAG_SAMPLES samples, each stamped with the device time of its first
// sample; a member that has gone away leaves a socket nobody listens on,
// which the next sender removes. Nothing leaves the machine.
//
// Time: the hardware clock is CLOCK_MONOTONIC (the same in every process on
// one machine), so the members share one time base: a burst sent at time t
// is heard at time t by everybody. The receive stream runs RX_DELAY_NS
// behind the clock, the time a datagram needs to arrive, so a burst is
// never heard "too late"; one that still comes late (the sender was
// descheduled) is heard from the next sample on, whole, as if it had come
// from further away. Bursts from one member never overlap: each starts
// when the previous one has ended, as on a real transmitter.
//
// Gain is stored and reported, not applied: the levels on this medium are
// set by noise_db and the transmitted amplitude.
#include <SoapySDR/Device.hpp>
#include <SoapySDR/Errors.hpp>
#include <SoapySDR/Formats.hpp>
#include <SoapySDR/Registry.hpp>
#include <SoapySDR/Time.hpp>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <complex>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using cf32 = std::complex<float>;

constexpr uint32_t MAGIC = 0x4e524453;       // "SDRN"
constexpr size_t FRAG_SAMPLES = 4096;        // [samples] per datagram (32 KiB)
constexpr size_t MTU = 8192;                 // [samples] per readStream
constexpr size_t NOISE_TABLE = 1 << 18;      // [samples] of noise drawn at make
constexpr int64_t RX_DELAY_NS = 50000000;    // [ns] receive stream behind the clock
constexpr int64_t MAX_BACKLOG_NS = 1000000000;  // [ns] unread before an overflow
constexpr int64_t SEND_WAIT_NS = 100000000;    // [ns] a member's full socket is waited for
constexpr int64_t TX_AHEAD_NS = 200000000;   // [ns] queued before writeStream blocks
constexpr double PI = 3.14159265358979323846;

int64_t monoNs()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Datagram header; the samples (interleaved float I, Q) follow.
struct FragHeader {
    uint32_t magic;
    uint32_t n;            // [samples] in this datagram
    uint64_t sender;       // which device sent it (pid and counter)
    uint64_t burst;        // the sender's burst number
    uint64_t offset;       // [samples] of this datagram in its burst
    double sampleRate;     // [S/s] of the sender
    double freq;           // [Hz] sender's centre frequency
    int64_t timeNs;        // [ns] CLOCK_MONOTONIC time of the first sample
};

std::string mediumDir(const std::string &medium)
{
    const char *tmp = getenv("TMPDIR");
    std::string base = std::string(tmp && *tmp ? tmp : "/tmp") + "/sdrnet-soapy-" +
                       std::to_string(getuid());
    return base + "/" + medium;
}

bool validMedium(const std::string &m)
{
    if (m.empty() || m.size() > 64)
        return false;
    for (char c : m)
        if (!(isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'))
            return false;
    return m != "." && m != "..";
}

double argDouble(const SoapySDR::Kwargs &args, const char *key, double def)
{
    auto it = args.find(key);
    if (it == args.end())
        return def;
    char *end = nullptr;
    double v = strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || *end || !std::isfinite(v))
        throw std::runtime_error(std::string("sdrnet: bad ") + key + "=" + it->second);
    return v;
}

// Gaussian noise: xorshift64* and Box-Muller, fast enough for 20 MS/s.
class Noise {
public:
    explicit Noise(uint64_t seed) : s_(seed ? seed : 0x9e3779b97f4a7c15ull) {}
    // one complex sample of total power `power`
    cf32 next(float sigma)
    {
        double u1 = (double(step() >> 11) + 1.0) * (1.0 / 9007199254740993.0);
        double u2 = double(step() >> 11) * (1.0 / 9007199254740992.0);
        double r = std::sqrt(-2.0 * std::log(u1)) * sigma;
        return cf32(float(r * std::cos(2 * PI * u2)), float(r * std::sin(2 * PI * u2)));
    }

    uint64_t bits() { return step(); }

private:
    uint64_t step()
    {
        s_ ^= s_ >> 12;
        s_ ^= s_ << 25;
        s_ ^= s_ >> 27;
        return s_ * 2685821657736338717ull;
    }
    uint64_t s_;
};

struct Burst {
    int64_t start;               // [samples] index on the receive stream
    std::vector<cf32> iq;
};

struct Stream {
    int direction;
    bool cs16;                   // CS16 instead of CF32 at the API
    std::atomic<bool> active{false};
};

class SdrnetDevice : public SoapySDR::Device {
public:
    explicit SdrnetDevice(const SoapySDR::Kwargs &args)
        : noise_(uint64_t(monoNs()) ^ (uint64_t(getpid()) << 32))
    {
        auto it = args.find("medium");
        medium_ = it == args.end() ? "default" : it->second;
        if (!validMedium(medium_))
            throw std::runtime_error("sdrnet: medium name must be 1-64 of [A-Za-z0-9._-]");
        noiseDb_ = argDouble(args, "noise_db", -40.0);
        cfoHz_ = argDouble(args, "cfo_hz", 0.0);
        rate_ = argDouble(args, "rate", 1e6);
        freq_[0] = freq_[1] = argDouble(args, "freq", 433.92e6);
        const float sigma = float(std::sqrt(std::pow(10.0, noiseDb_ / 10.0) / 2.0));
        noiseTable_.resize(NOISE_TABLE);
        for (auto &x : noiseTable_)
            x = noise_.next(sigma);
        join();
    }

    ~SdrnetDevice() override
    {
        if (fd_ >= 0)
            close(fd_);
        if (!path_.empty())
            unlink(path_.c_str());
    }

    std::string getDriverKey() const override { return "sdrnet"; }
    std::string getHardwareKey() const override { return "sdrnet-virtual"; }
    SoapySDR::Kwargs getHardwareInfo() const override
    {
        return {{"medium", medium_}, {"medium_dir", dir_}, {"noise_db", std::to_string(noiseDb_)},
                {"cfo_hz", std::to_string(cfoHz_)}};
    }

    size_t getNumChannels(const int) const override { return 1; }
    bool getFullDuplex(const int, const size_t) const override { return true; }

    // ---- streams -------------------------------------------------------
    std::vector<std::string> getStreamFormats(const int, const size_t) const override
    {
        return {SOAPY_SDR_CF32, SOAPY_SDR_CS16};
    }
    std::string getNativeStreamFormat(const int, const size_t, double &fullScale) const override
    {
        fullScale = 1.0;
        return SOAPY_SDR_CF32;
    }

    SoapySDR::Stream *setupStream(const int direction, const std::string &format,
                                  const std::vector<size_t> &channels,
                                  const SoapySDR::Kwargs &) override
    {
        if (format != SOAPY_SDR_CF32 && format != SOAPY_SDR_CS16)
            throw std::runtime_error("sdrnet: stream format must be CF32 or CS16, not " + format);
        for (size_t c : channels)
            if (c != 0)
                throw std::runtime_error("sdrnet: one channel only (0)");
        auto *s = new Stream;
        s->direction = direction;
        s->cs16 = format == SOAPY_SDR_CS16;
        return reinterpret_cast<SoapySDR::Stream *>(s);
    }

    void closeStream(SoapySDR::Stream *stream) override
    {
        delete reinterpret_cast<Stream *>(stream);
    }

    size_t getStreamMTU(SoapySDR::Stream *) const override { return MTU; }

    int activateStream(SoapySDR::Stream *stream, const int, const long long, const size_t) override
    {
        auto *s = reinterpret_cast<Stream *>(stream);
        if (s->direction == SOAPY_SDR_RX) {
            std::lock_guard<std::mutex> lk(rxMutex_);
            drainSocket(false);
            pending_.clear();
            rxRate_ = getSampleRate(SOAPY_SDR_RX, 0);
            rxT0_ = monoNs() - RX_DELAY_NS;
            rxPos_ = 0;
        }
        s->active = true;
        return 0;
    }

    int deactivateStream(SoapySDR::Stream *stream, const int, const long long) override
    {
        reinterpret_cast<Stream *>(stream)->active = false;
        return 0;
    }

    int readStream(SoapySDR::Stream *stream, void *const *buffs, const size_t numElems, int &flags,
                   long long &timeNs, const long timeoutUs) override
    {
        auto *s = reinterpret_cast<Stream *>(stream);
        flags = 0;
        if (s->direction != SOAPY_SDR_RX)
            return SOAPY_SDR_NOT_SUPPORTED;
        const int64_t deadline = monoNs() + int64_t(timeoutUs) * 1000;
        if (!s->active) {
            std::this_thread::sleep_for(std::chrono::microseconds(timeoutUs));
            return SOAPY_SDR_TIMEOUT;
        }
        std::lock_guard<std::mutex> lk(rxMutex_);
        const double rate = rxRate_;
        // wait for a few ms worth of samples, not one at a time
        const int64_t want = std::max<int64_t>(1, std::min<int64_t>(int64_t(numElems),
                                                                  int64_t(rate * 0.002)));
        int64_t avail = 0;
        for (;;) {
            int64_t now = monoNs();
            avail = int64_t(double(now - rxT0_) * 1e-9 * rate) - rxPos_;
            if (avail >= want)
                break;
            if (now >= deadline)
                return SOAPY_SDR_TIMEOUT;
            int64_t need = int64_t(double(want - avail) / rate * 1e9) + 1;
            std::this_thread::sleep_for(std::chrono::nanoseconds(std::min(need, deadline - now)));
        }
        if (double(avail) > rate * MAX_BACKLOG_NS * 1e-9) {
            // the reader fell behind: like a real device, drop and say so
            rxPos_ += avail - int64_t(numElems);
            drainSocket(true);
            return SOAPY_SDR_OVERFLOW;
        }
        drainSocket(true);
        const size_t n = size_t(std::min<int64_t>(avail, int64_t(numElems)));
        // noise from the table at a random place: a Gaussian per sample
        // costs more than 20 MS/s allows on one core
        buf_.resize(n);
        for (size_t k = 0; k < n;) {
            size_t at = size_t(noise_.bits() % NOISE_TABLE);
            size_t m = std::min(n - k, std::min<size_t>(NOISE_TABLE - at, 4096));
            std::memcpy(buf_.data() + k, noiseTable_.data() + at, m * sizeof(cf32));
            k += m;
        }
        const int64_t end = rxPos_ + int64_t(n);
        for (auto it = pending_.begin(); it != pending_.end();) {
            int64_t bEnd = it->start + int64_t(it->iq.size());
            int64_t from = std::max(it->start, rxPos_), to = std::min(bEnd, end);
            for (int64_t i = from; i < to; i++)
                buf_[size_t(i - rxPos_)] += it->iq[size_t(i - it->start)];
            if (bEnd <= end)
                it = pending_.erase(it);
            else
                ++it;
        }
        if (s->cs16) {
            auto *out = static_cast<int16_t *>(buffs[0]);
            for (size_t k = 0; k < n; k++) {
                out[2 * k] = toS16(buf_[k].real());
                out[2 * k + 1] = toS16(buf_[k].imag());
            }
        } else {
            std::memcpy(buffs[0], buf_.data(), n * sizeof(cf32));
        }
        timeNs = rxT0_ + (long long)(double(rxPos_) / rate * 1e9) + timeOffset_.load();
        flags |= SOAPY_SDR_HAS_TIME;
        rxPos_ = end;
        return int(n);
    }

    int writeStream(SoapySDR::Stream *stream, const void *const *buffs, const size_t numElems,
                    int &flags, const long long timeNs, const long timeoutUs) override
    {
        auto *s = reinterpret_cast<Stream *>(stream);
        if (s->direction != SOAPY_SDR_TX)
            return SOAPY_SDR_NOT_SUPPORTED;
        if (!s->active)
            return SOAPY_SDR_STREAM_ERROR;
        std::lock_guard<std::mutex> lk(txMutex_);
        const double rate = getSampleRate(SOAPY_SDR_TX, 0);
        const double freq = getFrequency(SOAPY_SDR_TX, 0);
        int64_t now = monoNs();
        if (!inBurst_) {
            int64_t t = now;
            if (flags & SOAPY_SDR_HAS_TIME) {
                t = timeNs - timeOffset_.load();
                if (t < now) {
                    pushStatus(SOAPY_SDR_TIME_ERROR, 0, timeNs);
                    t = now;
                }
            }
            txCursor_ = std::max(t, txCursor_);
        }
        const size_t n = numElems;
        std::vector<cf32> iq(n);
        if (s->cs16) {
            auto *in = static_cast<const int16_t *>(buffs[0]);
            for (size_t k = 0; k < n; k++)
                iq[k] = cf32(in[2 * k] / 32768.0f, in[2 * k + 1] / 32768.0f);
        } else if (n) {
            std::memcpy(iq.data(), buffs[0], n * sizeof(cf32));
        }
        for (size_t off = 0; off < n; off += FRAG_SAMPLES) {
            size_t m = std::min(FRAG_SAMPLES, n - off);
            FragHeader h{MAGIC, uint32_t(m), id_, burst_, uint64_t(off), rate, freq,
                         txCursor_ + int64_t(double(off) / rate * 1e9)};
            sendAll(h, iq.data() + off);
        }
        txCursor_ += int64_t(double(n) / rate * 1e9);
        inBurst_ = !(flags & SOAPY_SDR_END_BURST);
        if (!inBurst_)
            burst_++;
        if (!inBurst_)
            pushStatus(0, SOAPY_SDR_END_BURST, txCursor_ + timeOffset_.load());
        // back-pressure, as a device's buffers would give it
        int64_t ahead = txCursor_ - monoNs() - TX_AHEAD_NS;
        if (ahead > 0)
            std::this_thread::sleep_for(
                std::chrono::nanoseconds(std::min(ahead, int64_t(timeoutUs) * 1000)));
        flags = 0;
        return int(n);
    }

    int readStreamStatus(SoapySDR::Stream *stream, size_t &chanMask, int &flags, long long &timeNs,
                         const long timeoutUs) override
    {
        auto *s = reinterpret_cast<Stream *>(stream);
        if (s->direction != SOAPY_SDR_TX)
            return SOAPY_SDR_NOT_SUPPORTED;
        std::unique_lock<std::mutex> lk(statusMutex_);
        if (!statusCv_.wait_for(lk, std::chrono::microseconds(timeoutUs),
                                [this] { return !status_.empty(); }))
            return SOAPY_SDR_TIMEOUT;
        Status st = status_.front();
        status_.pop_front();
        chanMask = 1;
        flags = st.flags;
        timeNs = st.timeNs;
        return st.ret;
    }

    // ---- settings ------------------------------------------------------
    std::vector<std::string> listAntennas(const int direction, const size_t) const override
    {
        return {direction == SOAPY_SDR_RX ? "RX" : "TX"};
    }
    void setAntenna(const int direction, const size_t, const std::string &name) override
    {
        if (name != (direction == SOAPY_SDR_RX ? "RX" : "TX"))
            throw std::runtime_error("sdrnet: no antenna '" + name + "'");
    }
    std::string getAntenna(const int direction, const size_t) const override
    {
        return direction == SOAPY_SDR_RX ? "RX" : "TX";
    }

    std::vector<std::string> listGains(const int, const size_t) const override { return {"VIRT"}; }
    using SoapySDR::Device::setGain;
    using SoapySDR::Device::getGain;
    using SoapySDR::Device::getGainRange;
    void setGain(const int direction, const size_t, const double value) override
    {
        checkRange("gain", value, 0, 60);
        std::lock_guard<std::mutex> lk(setMutex_);
        gain_[idx(direction)] = value;
    }
    void setGain(const int direction, const size_t ch, const std::string &, const double value) override
    {
        setGain(direction, ch, value);
    }
    double getGain(const int direction, const size_t) const override
    {
        std::lock_guard<std::mutex> lk(setMutex_);
        return gain_[idx(direction)];
    }
    double getGain(const int direction, const size_t ch, const std::string &) const override
    {
        return getGain(direction, ch);
    }
    SoapySDR::Range getGainRange(const int, const size_t) const override
    {
        return SoapySDR::Range(0, 60, 1);
    }
    SoapySDR::Range getGainRange(const int, const size_t, const std::string &) const override
    {
        return SoapySDR::Range(0, 60, 1);
    }

    using SoapySDR::Device::setFrequency;
    using SoapySDR::Device::getFrequency;
    using SoapySDR::Device::getFrequencyRange;
    void setFrequency(const int direction, const size_t, const double frequency,
                      const SoapySDR::Kwargs &) override
    {
        checkRange("frequency", frequency, 1e6, 6e9);
        std::lock_guard<std::mutex> lk(setMutex_);
        freq_[idx(direction)] = frequency;
    }
    void setFrequency(const int direction, const size_t ch, const std::string &,
                      const double frequency, const SoapySDR::Kwargs &args) override
    {
        setFrequency(direction, ch, frequency, args);
    }
    double getFrequency(const int direction, const size_t) const override
    {
        std::lock_guard<std::mutex> lk(setMutex_);
        return freq_[idx(direction)];
    }
    double getFrequency(const int direction, const size_t ch, const std::string &) const override
    {
        return getFrequency(direction, ch);
    }
    std::vector<std::string> listFrequencies(const int, const size_t) const override
    {
        return {"RF"};
    }
    SoapySDR::RangeList getFrequencyRange(const int, const size_t) const override
    {
        return {SoapySDR::Range(1e6, 6e9)};
    }
    SoapySDR::RangeList getFrequencyRange(const int, const size_t, const std::string &) const override
    {
        return {SoapySDR::Range(1e6, 6e9)};
    }

    void setSampleRate(const int, const size_t, const double rate) override
    {
        checkRange("sample rate", rate, 1e3, 20e6);
        std::lock_guard<std::mutex> lk(setMutex_);
        rate_ = rate; // one clock for both directions, as on most devices
    }
    double getSampleRate(const int, const size_t) const override
    {
        std::lock_guard<std::mutex> lk(setMutex_);
        return rate_;
    }
    SoapySDR::RangeList getSampleRateRange(const int, const size_t) const override
    {
        return {SoapySDR::Range(1e3, 20e6)};
    }
    std::vector<double> listSampleRates(const int, const size_t) const override
    {
        return {250e3, 1e6, 2e6, 5e6, 10e6, 20e6};
    }

    void setBandwidth(const int direction, const size_t, const double bw) override
    {
        checkRange("bandwidth", bw, 0, 20e6);
        std::lock_guard<std::mutex> lk(setMutex_);
        bw_[idx(direction)] = bw;
    }
    double getBandwidth(const int direction, const size_t) const override
    {
        std::lock_guard<std::mutex> lk(setMutex_);
        return bw_[idx(direction)] > 0 ? bw_[idx(direction)] : rate_;
    }
    SoapySDR::RangeList getBandwidthRange(const int, const size_t) const override
    {
        return {SoapySDR::Range(0, 20e6)};
    }

    bool hasHardwareTime(const std::string &what) const override { return what.empty(); }
    long long getHardwareTime(const std::string &) const override
    {
        return monoNs() + timeOffset_.load();
    }
    void setHardwareTime(const long long timeNs, const std::string &) override
    {
        timeOffset_ = timeNs - monoNs();
    }

private:
    struct Status {
        int ret, flags;
        long long timeNs;
    };

    static int idx(int direction) { return direction == SOAPY_SDR_RX ? 1 : 0; }
    static int16_t toS16(float v)
    {
        float x = std::max(-1.0f, std::min(v, 32767.0f / 32768.0f)) * 32768.0f;
        return int16_t(std::lrint(x));
    }
    static void checkRange(const char *what, double v, double lo, double hi)
    {
        if (!(v >= lo && v <= hi))
            throw std::runtime_error(std::string("sdrnet: ") + what + " " + std::to_string(v) +
                                     " outside [" + std::to_string(lo) + ", " +
                                     std::to_string(hi) + "]");
    }

    void pushStatus(int ret, int flags, long long timeNs)
    {
        std::lock_guard<std::mutex> lk(statusMutex_);
        if (status_.size() >= 256)
            status_.pop_front(); // nobody reads them: keep the newest
        status_.push_back({ret, flags, timeNs});
        statusCv_.notify_all();
    }

    // Make the medium's directory and bind our socket in it.
    void join()
    {
        dir_ = mediumDir(medium_);
        std::string base = dir_.substr(0, dir_.rfind('/'));
        if ((mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) ||
            (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST))
            throw std::runtime_error("sdrnet: cannot make " + dir_ + ": " + strerror(errno));
        static std::atomic<unsigned> counter{0};
        path_ = dir_ + "/" + std::to_string(getpid()) + "." + std::to_string(counter++) + ".sock";
        struct sockaddr_un sa;
        if (path_.size() >= sizeof sa.sun_path)
            throw std::runtime_error("sdrnet: socket path too long: " + path_);
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd_ < 0)
            throw std::runtime_error(std::string("sdrnet: socket: ") + strerror(errno));
        int big = 8 << 20; // [bytes] the kernel caps it at rmem_max
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
        std::memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        std::memcpy(sa.sun_path, path_.c_str(), path_.size() + 1);
        unlink(path_.c_str());
        if (bind(fd_, reinterpret_cast<struct sockaddr *>(&sa), sizeof sa) != 0) {
            std::string why = strerror(errno);
            close(fd_);
            fd_ = -1;
            path_.clear();
            throw std::runtime_error("sdrnet: cannot bind " + dir_ + ": " + why);
        }
    }

    // Send one datagram to every other member; drop members that are gone.
    void sendAll(const FragHeader &h, const cf32 *iq)
    {
        std::vector<char> msg(sizeof h + h.n * sizeof(cf32));
        std::memcpy(msg.data(), &h, sizeof h);
        std::memcpy(msg.data() + sizeof h, iq, h.n * sizeof(cf32));
        DIR *d = opendir(dir_.c_str());
        if (!d)
            return;
        while (struct dirent *e = readdir(d)) {
            std::string name = e->d_name;
            if (name.size() < 6 || name.compare(name.size() - 5, 5, ".sock") != 0)
                continue;
            std::string p = dir_ + "/" + name;
            if (p == path_ || p.size() >= sizeof(((struct sockaddr_un *)nullptr)->sun_path))
                continue;
            struct sockaddr_un sa;
            std::memset(&sa, 0, sizeof sa);
            sa.sun_family = AF_UNIX;
            std::memcpy(sa.sun_path, p.c_str(), p.size() + 1);
            // A full socket means the member's process has not drained it
            // for a moment (a busy machine; the kernel caps the buffer at
            // rmem_max, a few ms of samples at MS/s rates): wait for it a
            // little, since a real device's air never drops samples on the
            // way -- the receiver's own ring overflows, and is counted,
            // when it cannot keep up. A member that stays full for
            // SEND_WAIT_NS is not reading: it loses the datagram.
            ssize_t r;
            int64_t t0 = monoNs();
            while ((r = sendto(fd_, msg.data(), msg.size(), MSG_DONTWAIT,
                               reinterpret_cast<struct sockaddr *>(&sa), sizeof sa)) < 0 &&
                   (errno == EAGAIN || errno == EWOULDBLOCK) && monoNs() - t0 < SEND_WAIT_NS) {
                struct timespec ts = {0, 50000}; // 50 us
                nanosleep(&ts, nullptr);
            }
            if (r < 0 && errno == ECONNREFUSED)
                unlink(p.c_str()); // its owner died without cleaning up
        }
        closedir(d);
    }

    // Take the datagrams waiting on our socket; keep them if `keep`.
    // Called with rxMutex_ held.
    void drainSocket(bool keep)
    {
        std::vector<char> msg(sizeof(FragHeader) + FRAG_SAMPLES * sizeof(cf32));
        const double rate = rxRate_;
        const double myFreq = getFrequency(SOAPY_SDR_RX, 0);
        for (;;) {
            ssize_t r = recv(fd_, msg.data(), msg.size(), MSG_DONTWAIT);
            if (r < 0)
                break;
            FragHeader h;
            if (!keep || size_t(r) < sizeof h)
                continue;
            std::memcpy(&h, msg.data(), sizeof h);
            if (h.magic != MAGIC || h.n > FRAG_SAMPLES ||
                size_t(r) != sizeof h + h.n * sizeof(cf32))
                continue;
            // another rate or a carrier outside our band: we hear nothing of it
            double df = h.freq - myFreq;
            if (std::fabs(h.sampleRate - rate) > 1e-6 * rate || std::fabs(df) > rate / 2)
                continue;
            Burst b;
            b.start = std::llround(double(h.timeNs - rxT0_) * 1e-9 * rate);
            // late: move the whole burst to the next sample we have not read
            if (late_.size() > 1024)
                late_.clear(); // senders come and go; forget the old ones
            Late &late = late_[h.sender];
            if (h.offset == 0 || late.burst != h.burst) {
                late.burst = h.burst;
                late.shift = std::max<int64_t>(0, rxPos_ - b.start);
            }
            b.start += late.shift;
            b.iq.resize(h.n);
            std::memcpy(b.iq.data(), msg.data() + sizeof h, h.n * sizeof(cf32));
            double f = df + cfoHz_;
            if (f != 0) {
                // phase from the absolute sample index, continuous across datagrams
                double w = 2 * PI * f / rate;
                for (size_t k = 0; k < h.n; k++) {
                    double ph = std::fmod(w * double(b.start + int64_t(k)), 2 * PI);
                    b.iq[k] *= cf32(float(std::cos(ph)), float(std::sin(ph)));
                }
            }
            if (b.start + int64_t(h.n) > rxPos_)
                pending_.push_back(std::move(b));
        }
    }

    struct Late {
        uint64_t burst = UINT64_MAX;
        int64_t shift = 0;        // [samples] added to that burst's start
    };

    std::string medium_, dir_, path_;
    uint64_t id_ = (uint64_t(getpid()) << 20) ^ uint64_t(monoNs() & 0xfffff);
    uint64_t burst_ = 0;
    int fd_ = -1;
    double noiseDb_, cfoHz_;

    mutable std::mutex setMutex_;
    double rate_;
    double freq_[2];              // [Hz] tx, rx
    double gain_[2] = {0, 0};     // [dB]
    double bw_[2] = {0, 0};       // [Hz], 0 = the sample rate
    std::atomic<long long> timeOffset_{0}; // [ns] hardware time - CLOCK_MONOTONIC

    std::mutex rxMutex_;
    double rxRate_ = 1e6;
    int64_t rxT0_ = 0;            // [ns] monotonic time of receive sample 0
    int64_t rxPos_ = 0;           // [samples] next sample to read
    std::deque<Burst> pending_;
    std::map<uint64_t, Late> late_;   // per sender
    std::vector<cf32> buf_;
    Noise noise_;
    std::vector<cf32> noiseTable_;    // NOISE_TABLE samples at noise_db

    std::mutex txMutex_;
    int64_t txCursor_ = 0;        // [ns] monotonic end of what we have sent
    bool inBurst_ = false;

    std::mutex statusMutex_;
    std::condition_variable statusCv_;
    std::deque<Status> status_;
};

SoapySDR::KwargsList findSdrnet(const SoapySDR::Kwargs &args)
{
    auto it = args.find("driver");
    if (it != args.end() && it->second != "sdrnet")
        return {};
    auto m = args.find("medium");
    std::string medium = m == args.end() ? "default" : m->second;
    if (!validMedium(medium))
        return {};
    SoapySDR::Kwargs dev;
    dev["driver"] = "sdrnet";
    dev["medium"] = medium;
    dev["label"] = "sdrnet virtual radio (medium " + medium + ")";
    dev["serial"] = "sdrnet-" + medium;
    for (const char *k : {"noise_db", "cfo_hz"}) {
        auto a = args.find(k);
        if (a != args.end())
            dev[k] = a->second;
    }
    return {dev};
}

SoapySDR::Device *makeSdrnet(const SoapySDR::Kwargs &args) { return new SdrnetDevice(args); }

SoapySDR::Registry registerSdrnet("sdrnet", &findSdrnet, &makeSdrnet, SOAPY_SDR_ABI_VERSION);

} // namespace
