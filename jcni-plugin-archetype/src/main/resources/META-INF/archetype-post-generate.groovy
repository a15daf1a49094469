// The plugin's class is the artifactId in CamelCase (acme-cni: AcmeCni), as the templates compute it:
// the files CniPlugin*.java take that name.
import java.nio.file.Files
import java.nio.file.Paths

def project = Paths.get(request.outputDirectory, request.artifactId)
def className = request.artifactId.split(/[^A-Za-z0-9]+/).findAll { it }.collect { it[0].toUpperCase() + it.substring(1) }.join()
def packagePath = request.getPackage().replace('.', '/')
['src/main/java', 'src/test/java'].each { root ->
    def dir = project.resolve(root).resolve(packagePath)
    Files.list(dir).toList().each { f ->
        def name = f.fileName.toString()
        if (name.startsWith('CniPlugin')) {
            Files.move(f, dir.resolve(className + name.substring('CniPlugin'.length())))
        }
    }
}
