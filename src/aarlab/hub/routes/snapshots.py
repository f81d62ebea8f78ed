"""Code store endpoints: upload a tar.gz, fetch it, list and read its files.

The format, its checks and its content id belong to `aarlab.snapshot`. A snapshot is stored
once per id: uploading the same code again (by anyone, packed in any way) stores nothing and
the answer says so, with who first uploaded it and which result posts already name it.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes

from fastapi import APIRouter, Depends, HTTPException, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session

from aarlab.hub.auth import Principal, authenticate
from aarlab.hub.forum import results_naming
from aarlab.hub.models import Researcher, Snapshot, utcnow
from aarlab.hub.routes.deps import bearer, errors, get_hub
from aarlab.hub.schemas import SnapshotFile, SnapshotFiles, SnapshotOut, SnapshotUse
from aarlab.hub.state import HubState
from aarlab.snapshot import Manifest, SnapshotError, read_manifest, read_member

router = APIRouter(prefix="/v1/snapshots", tags=["snapshots"], dependencies=[Security(bearer)])


def _get(hub: HubState, sid: str) -> Snapshot:
    with hub.read() as s:
        snap = s.get(Snapshot, sid)
    if snap is None:
        raise HTTPException(404, f"no snapshot {sid!r}")
    return snap


@router.post(
    "", response_model=SnapshotOut, status_code=201, responses=errors(401, 403, 413, 422),
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        "description": "the tar.gz bytes (sent with any content type, e.g. application/gzip)"}},
)
async def upload_snapshot(request: Request, p: Principal = Depends(authenticate),
                          hub: HubState = Depends(get_hub)) -> SnapshotOut:
    """Upload a tar.gz of your code (raw body). Same code, same id: a second upload stores nothing."""
    limit = hub.config.snapshot_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"snapshot over the {limit}-byte limit")
    data = await request.body()
    if len(data) > limit:
        raise HTTPException(413, f"snapshot over the {limit}-byte limit")
    return await _store(hub, data, p)


def listing(manifest: Manifest) -> list[SnapshotFile]:
    return [SnapshotFile(path=m.path, size=m.size, type=m.type) for m in manifest.members]


async def _store(hub: HubState, data: bytes, p: Principal) -> SnapshotOut:
    try:
        manifest = await run_in_threadpool(read_manifest, data,
                                           max_unpacked=hub.config.snapshot_max_unpacked_bytes,
                                           max_files=hub.config.snapshot_max_files)
    except SnapshotError as e:
        raise HTTPException(422, f"snapshot refused: {e}") from None
    files = listing(manifest)

    def job(s: Session) -> SnapshotOut:
        snap = s.get(Snapshot, manifest.id)
        stored = snap is not None
        if snap is None:
            snap = Snapshot(id=manifest.id, size=len(data), data=data,
                            files=json.dumps([f.model_dump() for f in files]),
                            uploader_id=p.researcher_id, created_at=utcnow())
            s.add(snap)
            s.flush()
        uploader = None if snap.uploader_id is None else s.get(Researcher, snap.uploader_id)
        return SnapshotOut(id=snap.id, size=snap.size, n_files=len(manifest.files),
                           created_at=snap.created_at,
                           already_stored=stored, uploaded_by=None if uploader is None else uploader.name,
                           results=[SnapshotUse(post_id=pid, author=name)
                                    for pid, _, name in results_naming(s, snap.id)])

    return await asyncio.wrap_future(hub.writer.submit(job))


@router.get("/{snapshot_id}", response_class=Response, responses={
    200: {"content": {"application/gzip": {}}, "description": "the tar.gz"}, **errors(401, 403, 404)})
def get_snapshot(snapshot_id: str, _: Principal = Depends(authenticate),
                 hub: HubState = Depends(get_hub)) -> Response:
    snap = _get(hub, snapshot_id)
    return Response(snap.data, media_type="application/gzip",
                    headers={"Content-Disposition": f'attachment; filename="{snap.id}.tar.gz"'})


@router.get("/{snapshot_id}/files", response_model=SnapshotFiles, responses=errors(401, 403, 404))
def list_files(snapshot_id: str, _: Principal = Depends(authenticate),
               hub: HubState = Depends(get_hub)) -> SnapshotFiles:
    with hub.read() as s:
        row = s.execute(select(Snapshot.id, Snapshot.files).where(Snapshot.id == snapshot_id)).first()
    if row is None:
        raise HTTPException(404, f"no snapshot {snapshot_id!r}")
    return SnapshotFiles(id=row[0], files=[SnapshotFile(**f) for f in json.loads(row[1])])


@router.get("/{snapshot_id}/files/{path:path}", response_class=Response, responses={
    200: {"content": {"application/octet-stream": {}}, "description": "the file"},
    **errors(401, 403, 404)})
def read_file(snapshot_id: str, path: str, _: Principal = Depends(authenticate),
              hub: HubState = Depends(get_hub)) -> Response:
    data = read_member(_get(hub, snapshot_id).data, path)
    if data is None:
        raise HTTPException(404, f"no regular file {path!r} in snapshot {snapshot_id}")
    media = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if media == "application/octet-stream" and path.endswith((".py", ".md", ".txt", ".toml",
                                                              ".json", ".yaml", ".yml", ".cfg")):
        media = "text/plain; charset=utf-8"
    return Response(data, media_type=media)
