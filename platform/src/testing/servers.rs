//! Local ports, and the other servers a test may start or take away: moto (the AWS emulator) and a TCP plug
//! in front of any server.

use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A free TCP port on 127.0.0.1 (free when asked; tests take it right away).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("no free local port")
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
pub fn wait_for_port(port: u16, timeout: Duration) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing listens on {addr} after {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A private moto server (AWS SQS/SES emulator) on its own port, killed on drop; tests that need an outage
/// stop and restart it. `MOTO_SERVER_BIN` says where `moto_server` is (the test command sets it).
#[derive(Debug)]
pub struct MotoServer {
    port: u16,
    child: Option<Child>,
}

impl MotoServer {
    pub fn start() -> Self {
        // A port found free can be taken by another test's server before moto (slow to start) binds it: then moto
        // exits and the port answers, but not as moto. Another port, then.
        for _ in 0..4 {
            let mut server = Self {
                port: free_port(),
                child: None,
            };
            if server.spawn() {
                return server;
            }
        }
        panic!("moto could not take a free port in four tries")
    }

    /// The endpoint URL to give the AWS SDK (`AWS_ENDPOINT_URL`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port. moto keeps no state across restarts: queues and identities must be
    /// created again by the test.
    pub fn start_again(&mut self) {
        assert!(
            self.spawn(),
            "moto could not start again on port {}: another server took it",
            self.port
        );
    }

    /// Starts moto on the port and waits until moto itself answers there; false if it exited instead.
    fn spawn(&mut self) -> bool {
        assert!(self.child.is_none(), "moto is already running");
        let bin = std::env::var("MOTO_SERVER_BIN").unwrap_or_else(|_| "moto_server".to_owned());
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {bin}: {err} (run the tests with ./dev test, or set MOTO_SERVER_BIN)"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !answers_as_moto(self.port) {
            let exited = self
                .child
                .as_mut()
                .is_some_and(|child| child.try_wait().ok().flatten().is_some());
            if exited {
                self.child = None;
                return false;
            }
            assert!(
                Instant::now() < deadline,
                "moto does not answer on port {} after 30 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }
}

/// True when moto's own API answers on 127.0.0.1:`port` (not just anything listening there).
fn answers_as_moto(port: u16) -> bool {
    use std::io::{Read as _, Write as _};
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /moto-api/data.json HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0_u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b" 200")
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A TCP forwarder in front of a server (moto, say) that a test can unplug: unplugged, new connections are
/// refused and open ones are cut, exactly as when the server is down, while the server behind keeps its state.
#[derive(Debug)]
pub struct TcpPlug {
    address: SocketAddr,
    upstream: SocketAddr,
    accepting: Option<tokio::task::JoinHandle<()>>,
    connections: std::sync::Arc<std::sync::Mutex<tokio::task::JoinSet<()>>>,
}

impl TcpPlug {
    /// Forwards to `upstream_url` (`http://host:port`).
    pub async fn new(upstream_url: &str) -> Self {
        let upstream: SocketAddr = upstream_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the upstream URL is http://host:port");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("local address");
        let mut plug = Self {
            address,
            upstream,
            accepting: None,
            connections: Default::default(),
        };
        plug.accept(listener);
        plug
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn accept(&mut self, listener: tokio::net::TcpListener) {
        let upstream = self.upstream;
        let connections = self.connections.clone();
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let forward = async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                };
                connections
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .spawn(forward);
            }
        }));
    }

    /// Refuses new connections and cuts the open ones.
    pub async fn unplug(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
            let _ = accepting.await;
        }
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .abort_all();
    }

    /// Listens again on the same port.
    pub async fn plug(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.address)
            .await
            .expect("bind the same port again");
        self.accept(listener);
    }
}

impl Drop for TcpPlug {
    fn drop(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
        }
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .abort_all();
    }
}
