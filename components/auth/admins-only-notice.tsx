/** What a signed-in non-admin sees on an admin page: why, and none of its data. */
export function AdminsOnlyNotice({ title, message }: { title: string; message: string }) {
  return (
    <>
      <div className="page-header">
        <h1>{title}</h1>
      </div>
      <p className="notice notice-error" role="alert">
        {message}
      </p>
    </>
  );
}
