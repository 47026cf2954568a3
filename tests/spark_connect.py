"""A real Spark Connect server for the tests, started from the pyspark package.

pyspark ships the server (``jars/spark-connect_*.jar``) and ``spark-submit``; the server
runs in its own JVM on ``local[1]``, with a Hive metastore (embedded Derby) and its
warehouse in a temporary folder, and its Python workers run this interpreter (the
engine's UDFs import omnicontract there). Nothing is fetched from the network.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
START_TIMEOUT_S = 180


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def server_command(folder: Path, port: int) -> list[str]:
    import pyspark

    from tests.conftest import TEST_SPARK_CONF

    home = Path(pyspark.__file__).parent
    java = " ".join(
        [
            TEST_SPARK_CONF["spark.driver.extraJavaOptions"],
            f"-Dderby.system.home={folder}",
            f"-Dderby.stream.error.file={folder / 'derby.log'}",
        ]
    )
    conf = {
        **TEST_SPARK_CONF,
        "spark.driver.extraJavaOptions": java,
        "spark.connect.grpc.binding.port": str(port),
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true"
        ),
        "spark.log.level": "WARN",
    }
    command = [str(home / "bin" / "spark-submit"), "--class", SERVER_CLASS]
    command += ["--master", "local[1]", "--name", "omnicontract-tests"]
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    return [*command, "spark-internal"]


@contextlib.contextmanager
def connect_server(folder: Path) -> Iterator[str]:
    """Start the server, yield its ``sc://`` URL, stop it (and its Python workers)."""
    import pyspark

    port = _free_port()
    env = {
        **os.environ,
        "SPARK_HOME": str(Path(pyspark.__file__).parent),
        "PYSPARK_PYTHON": sys.executable,
    }
    env.pop("SPARK_REMOTE", None)
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            server_command(folder, port),
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                pytest.fail(f"the Spark Connect server did not start:\n{tail}")
            time.sleep(1)
        url = f"sc://127.0.0.1:{port}"
        yield url
    finally:
        _stop_client_sessions()
        _stop(proc)


def _stop_client_sessions() -> None:
    """Close every Connect client of this process while the server still answers: a
    client left open runs its exit clean-up against the stopped server, and pyspark
    retries that for about ten minutes before the process may end."""
    import gc

    with contextlib.suppress(Exception):
        from pyspark.sql.connect.session import SparkSession as RemoteSession

        for session in {RemoteSession.getActiveSession(), RemoteSession.getDefaultSession()}:
            if session is not None:
                session.stop()
    with contextlib.suppress(ImportError):
        from pyspark.sql.connect.client.core import SparkConnectClient

        for client in [o for o in gc.get_objects() if isinstance(o, SparkConnectClient)]:
            if not client.is_closed:
                with contextlib.suppress(Exception):
                    client.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # the group may outlive its leader (Python workers): make sure none is left
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
